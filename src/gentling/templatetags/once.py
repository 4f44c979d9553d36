"""`{% once_token %}`, beside `{% csrf_token %}` in every form that writes household data (web/once.py)."""

import uuid

from django import template
from django.utils.html import format_html

from ..web.once import FIELD

register = template.Library()


@register.simple_tag
def once_token() -> str:
    """A hidden field with a new token each time the form is shown: sent twice, the form counts once."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, uuid.uuid4().hex)
