"""The demo version to render after ``make run``, and ``manage.py render_strategy``."""

import io

import pytest
from django.core.management import CommandError, call_command

from adoption.demo_documents import demo_version_freeze
from roadmaps.models import StrategyVersion
from strategy.demo import demo_accounts_create, demo_process_create
from strategy.models import ThemeField

pytestmark = pytest.mark.django_db


@pytest.mark.clock
def test_demo_freezes_one_version_with_a_chapter_per_theme_field(reference):
    demo_accounts_create()
    process = demo_process_create()
    version = demo_version_freeze(process=process)
    fields = [c["title"] for c in version.content["chapters"] if c["key"] == "field"]
    assert sorted(fields) == sorted(ThemeField.objects.values_list("name", flat=True))
    assert version.created_by.role == "district_staff"
    assert demo_version_freeze(process=process) is None
    assert StrategyVersion.objects.count() == 1


def test_render_strategy_command_uses_the_worker_code_path(
    process, personas, tmp_path, monkeypatch
):
    from adoption import documents
    from roadmaps.section_services import strategy_version_freeze

    version = strategy_version_freeze(process=process, user=personas["district_staff"])
    calls = []
    real = documents.strategy_pdf

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    # The command calls the function the task calls (looked up at call time).
    monkeypatch.setattr("adoption.management.commands.render_strategy.strategy_pdf", spy)
    out, output = io.StringIO(), tmp_path / "strategie.pdf"
    call_command("render_strategy", "--version", "1", "--output", str(output), stdout=out)
    assert calls == [{"version": version, "purpose": "draft"}]
    assert output.read_bytes().startswith(b"%PDF-1.7")
    pages, size = out.getvalue().split(": ")[1].split(", ")[:2]
    assert int(pages.split()[0]) >= 5 and int(size.split()[0]) == output.stat().st_size
    assert " s (Entwurf v1)" in out.getvalue()

    with pytest.raises(CommandError, match="keine eingefrorene Fassung Nr. 7"):
        call_command("render_strategy", "--version", "7", "--output", str(output))
