from django.apps import AppConfig


class GentlingConfig(AppConfig):
    name = "gentling"
    verbose_name = "Gentling"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
