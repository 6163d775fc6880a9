from django import template

from ..markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """``{{ section.body|markdown }}``: sanitised HTML from Markdown."""
    return render_markdown(text)
