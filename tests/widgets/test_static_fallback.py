"""An executed notebook (as the book executes chapters) saves each widget's HTML transcript in its output."""

from __future__ import annotations

import uuid

import nbclient
import nbformat
import pytest


@pytest.mark.engine
def test_executed_notebook_saves_the_build_transcript_next_to_the_widget_view(engine, make_context, tmp_path):
    context = make_context(
        {"Dockerfile": "FROM scratch\nCOPY hello.txt /hello.txt\n", "hello.txt": f"{uuid.uuid4()}\n"}
    )
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            f"from stagelab.widgets import build_panel\npanel = build_panel({str(context)!r}, start=True, wait=True, timeout=120)"
        )
    ]
    nbclient.NotebookClient(
        notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [output for output in notebook.cells[0].outputs if output.output_type == "display_data"]
    assert len(outputs) == 1, notebook.cells[0].outputs
    data = outputs[0]["data"]
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "stagelab-build-transcript" in data["text/html"]
    assert "COPY hello.txt /hello.txt" in data["text/html"] and "Built in" in data["text/html"]
