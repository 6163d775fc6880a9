"""Base classes of the portal's admin pages: their forms follow the portal's text rule
(``strategy.text_input``) like every other form. Every ``ModelAdmin`` and inline of the
portal derives from these (``tests/test_fuzz_forms.py`` checks it)."""

from django.contrib import admin

from .text_input import ModelForm


class ModelAdmin(admin.ModelAdmin):
    form = ModelForm

    def get_changelist_form(self, request, **kwargs):
        # The list's inline editing (``list_editable``) builds its own form class.
        kwargs.setdefault("form", ModelForm)
        return super().get_changelist_form(request, **kwargs)


class TabularInline(admin.TabularInline):
    form = ModelForm
