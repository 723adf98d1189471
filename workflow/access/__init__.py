"""Users, roles and the permission table every use case is authorised against."""
