from django.apps import AppConfig


class GentlingConfig(AppConfig):
    name = "gentling"
    verbose_name = "Gentling"
    default_auto_field = "django.db.models.BigAutoField"
