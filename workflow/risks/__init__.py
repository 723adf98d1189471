"""The register of risk points (风险点台账) the contractor keeps for the semi-annual assessment."""
