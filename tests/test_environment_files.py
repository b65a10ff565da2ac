"""environment.yml and requirements.txt must install the same packages."""

import re

from helpers.paths import PROJECT_ROOT


def _name(spec: str) -> str:
    return re.split(r"[<>=!;\s\[]", spec.strip(), maxsplit=1)[0].lower()


def _dependency_lines():
    text = (PROJECT_ROOT / "environment.yml").read_text()
    return text.split("dependencies:", 1)[1].splitlines()


def test_same_packages():
    req = {
        _name(line)
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    env = set()
    for line in _dependency_lines():
        item = line.split("#")[0].strip()
        if item.startswith("- ") and not item.endswith(":"):
            env.add(_name(item[2:]))
    env -= {"python", "pip"}
    req_tf = {n for n in req if n.startswith("tensorflow")}
    assert env - {"tensorflow-cpu"} == req - req_tf, (
        "environment.yml and requirements.txt list different packages"
    )
    assert "tensorflow-cpu" in env and req_tf


def test_every_conda_dependency_says_why():
    for line in _dependency_lines():
        item = line.strip()
        if item.startswith("- ") and not item.startswith("- pip") and "python>=" not in item:
            assert "#" in item, f"no comment on {item!r}"


def test_lock_pins_every_requirement():
    lock = {}
    for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            assert "==" in line, f"requirements.lock: {line!r} is not pinned"
            name, version = line.split("==")
            lock[name.lower().replace("_", "-")] = version
    req = {
        _name(line).replace("_", "-")
        for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    req -= {"tensorflow"}  # the lock is for Linux x86_64, where requirements.txt asks for tensorflow-cpu
    assert req <= set(lock), f"requirements.lock lacks {sorted(req - set(lock))}: run `make lock`"
