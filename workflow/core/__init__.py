"""What every feature uses: the application context, the use-case boundary, clock, errors, money, i18n, config."""
