#!/usr/bin/env bash
# `slither .` as an auditor runs it (slither.config.json: Foundry route, fail on medium),
# plus a guard against the silent "No contract was analyzed" of an Ape layout.
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(.venv/bin/slither . 2>&1)
rc=$?
summary=$(grep -E "analyzed \([0-9]+ contracts" <<<"$out" | tail -1)
if [ $rc -ne 0 ]; then
  echo "$out" | grep -v "^'forge" >&2
  echo "error: slither found an untriaged medium or high finding (or failed to compile); see above." >&2
  echo "Fix it, or triage it with a commented '// slither-disable-next-line <detector>' saying why." >&2
  exit 1
fi
n=$(sed -E 's/.*analyzed \(([0-9]+) contracts.*/\1/' <<<"$summary")
if [ -z "$summary" ] || [ "${n:-0}" -eq 0 ]; then
  echo "$out" >&2
  echo "error: slither analysed no contract; check foundry.toml and that 'make setup' ran." >&2
  exit 1
fi
# Every source of contracts/ must be among the sources that were compiled for slither.
compiled=$(.venv/bin/python - <<'PY'
import json, pathlib
seen = set()
for p in pathlib.Path(".build/forge-out/build-info").glob("*.json"):
    seen.update(json.loads(p.read_text()).get("output", {}).get("sources", {}))
print("\n".join(sorted(seen)))
PY
)
missing=""
for f in $(find contracts -name '*.sol' -not -path 'contracts/.cache/*'); do
  grep -qxF "$f" <<<"$compiled" || missing="$missing $f"
done
if [ -n "$missing" ]; then
  echo "error: slither did not analyse:$missing" >&2
  exit 1
fi
echo "slither: $summary; no untriaged medium or high finding"
