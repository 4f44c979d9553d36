"""The benchmark package: realistic data at home, rescue and network scale (`gentling bench`)."""
