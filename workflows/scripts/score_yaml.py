"""Reads the block-style YAML of a Score file into dicts, lists and strings, with the standard library
only (steps cannot count on PyYAML being installed). It covers what Score files use: nested maps,
`- item` lists, flow lists `[a, b]`, quoted and plain scalars, `|` blocks and comments. Anything
fancier (anchors, flow maps) should be checked with a real YAML parser in your own workflows."""
import re


def _scalar(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(part) for part in text[1:-1].split(",") if part.strip()]
    return text


def _strip_comment(line):
    quote = None
    for index, char in enumerate(line):
        if char in "'\"":
            quote = None if quote == char else (quote or char)
        elif char == "#" and quote is None and (index == 0 or line[index - 1] in " \t"):
            return line[:index]
    return line


def load(path):
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    root = {}
    stack = [(-1, root)]  # (indent, container)
    index = 0
    while index < len(lines):
        raw = _strip_comment(lines[index]).rstrip()
        index += 1
        if not raw.strip() or raw.strip() == "---":
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        text = raw.strip()
        while stack and indent <= stack[-1][0]:
            stack.pop()
        parent = stack[-1][1]
        if text.startswith("- "):
            if isinstance(parent, list):
                parent.append(_scalar(text[2:]))
            continue
        match = re.match(r'^("[^"]*"|\'[^\']*\'|[^:]+):(\s+(.*))?$', text)
        if not match:
            continue
        key = _scalar(match.group(1))
        value = (match.group(3) or "").strip()
        if value in ("|", "|-", ">", ">-"):
            block = []
            while index < len(lines) and (not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip(" ")) > indent):
                block.append(lines[index].strip())
                index += 1
            parent[key] = "\n".join(block)
        elif value == "":
            upcoming = next((l for l in lines[index:] if _strip_comment(l).strip()), "")
            child = [] if upcoming.strip().startswith("- ") else {}
            if isinstance(parent, dict):
                parent[key] = child
            stack.append((indent, child))
        elif isinstance(parent, dict):
            parent[key] = _scalar(value)
    return root
