"""Runs parliament over IAM policy documents and fails on any finding the allow-list does not name.

Usage (scripts/policy-lint.sh runs it; the virtualenv's python, where parliament is installed):
    .venv/bin/python scripts/lib/parliament-check.py ALLOW_LIST FILE...

parliament runs offline (its IAM definitions ship with it), once per file, with the community
auditors, at every severity. Each file is given on stdin (parliament's --file refuses to run when
stdin is not a terminal, as on CI) with the placeholder ACCOUNT_ID replaced by 123456789012:
parliament would report every ARN of the placeholder as malformed, and a real account id changes
nothing else in the document (the line numbers stay the same).

A finding is named by its issue code and its subjects:
  - the actions it lists (CREDENTIALS_EXPOSURE, PRIVILEGE_ESCALATION, RESOURCE_MISMATCH, ...);
  - the ARN or string it quotes (INVALID_ARN, ...) or the resource its detail names
    (RESOURCE_POLICY_PRIVILEGE_ESCALATION);
  - for a condition type mismatch, Operator:key for each key of the operator's block in the
    statement at the finding's line (MISMATCHED_TYPE_BUT_USABLE StringEquals:iam:PermissionsBoundary).
The allow-list has one `ISSUE_CODE subject  # why` per line (blank lines and # lines ignored;
actions compare case-insensitively). A finding passes when every one of its subjects is listed
with its code. An entry that matches no finding fails too: the list says what parliament reports.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

PLACEHOLDER, EXAMPLE_ACCOUNT = "ACCOUNT_ID", "123456789012"
PARLIAMENT = str(Path(sys.executable).parent / "parliament")


def read_allow_list(path):
    entries = {}
    for number, raw in enumerate(Path(path).read_text().splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 2:
            sys.exit(f"parliament: {path}:{number}: expected 'ISSUE_CODE subject  # why', got {raw!r}")
        entries[(parts[0], parts[1].lower())] = f"{path}:{number}"
    return entries


def statement_at(text, document, line):
    """The statement whose Sid is the last one at or before `line` (Sid is each statement's first key)."""
    sid = None
    for number, content in enumerate(text.splitlines(), 1):
        if number > line:
            break
        match = re.search(r'"Sid":\s*"([^"]*)"', content)
        if match:
            sid = match.group(1)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    return next((s for s in statements if s.get("Sid") == sid), None)


def subjects(finding, text, document):
    location = finding.get("location") or {}
    detail = finding.get("detail")
    found = [a for a in location.get("actions", [])]
    if isinstance(detail, list):
        found += [d["action"] for d in detail if isinstance(d, dict) and "action" in d]
    if "string" in location:
        found.append(location["string"])
    if isinstance(detail, str):
        resource = re.search(r" on (arn:\S+) due to ", detail)
        if resource:
            found.append(resource.group(1))
        operator = re.match(r"Type mismatch: (\w+) requires", detail)
        if operator and "line" in location:
            statement = statement_at(text, document, location["line"]) or {}
            block = (statement.get("Condition") or {}).get(operator.group(1)) or {}
            found += [f"{operator.group(1)}:{key}" for key in block]
    return sorted(set(found), key=str.lower) or ["-"]


def main(allow_list_path, files):
    allowed = read_allow_list(allow_list_path)
    used = set()
    failures = 0
    for path in files:
        text = Path(path).read_text().replace(PLACEHOLDER, EXAMPLE_ACCOUNT)
        document = json.loads(text)
        run = subprocess.run(
            [PARLIAMENT, "--json", "--include-community-auditors"],
            input=text,
            capture_output=True,
            text=True,
        )
        if run.returncode not in (0, 1) or run.stderr.strip():
            print(run.stdout + run.stderr, end="")
            sys.exit(f"parliament: {path}: parliament failed (exit {run.returncode})")
        findings = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
        for finding in findings:
            code = finding["issue"]
            names = subjects(finding, text, document)
            missing = [n for n in names if (code, n.lower()) not in allowed]
            used.update((code, n.lower()) for n in names if (code, n.lower()) in allowed)
            state = "NOT ALLOWED" if missing else "allowed"
            print(f"parliament: {path}: {state}: {finding['severity']} {code} {' '.join(names)}")
            if missing:
                failures += 1
                print(f"  {finding['title']} {finding.get('detail') or ''}".rstrip())
                for name in missing:
                    print(f"  not in {allow_list_path}: {code} {name}")
        print(f"parliament: {path}: {len(findings)} findings")
    for key, where in allowed.items():
        if key not in used:
            failures += 1
            print(f"parliament: {where}: {key[0]} {key[1]} matches no finding: remove it")
    if failures:
        print(f"parliament: FAILED ({failures} findings or allow-list entries to answer)")
        return 1
    print("parliament: every finding is answered in " + allow_list_path)
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
