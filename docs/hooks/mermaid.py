"""MkDocs hook: ```` ```mermaid ```` fences become diagrams, drawn in the reader's browser by Material.

Material's documented setup names the fence formatter in mkdocs.yml with a ``!!python/name:`` tag,
which makes mkdocs.yml unreadable to plain YAML loaders (``yaml.safe_load``, used by tests and
tools). Adding the custom fence here keeps mkdocs.yml plain YAML. Nothing is fetched at build time.
"""

from typing import Any

from pymdownx.superfences import fence_code_format

MERMAID_FENCE = {"name": "mermaid", "class": "mermaid", "format": fence_code_format}


def on_config(config: Any, **_: Any) -> Any:
    """MkDocs event: register the Mermaid fence with pymdownx.superfences (listed in mkdocs.yml)."""
    superfences = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = superfences.setdefault("custom_fences", [])
    if not any(fence.get("name") == "mermaid" for fence in fences):
        fences.append(MERMAID_FENCE)
    return config
