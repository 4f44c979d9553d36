"""Gentling: a socialization coach for pet rats and mice."""
