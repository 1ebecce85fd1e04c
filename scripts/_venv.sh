# Shared by run.sh and test.sh: create .venv and install zzgeo with the given extras, only when needed.
# The install is skipped when .venv already holds this pyproject.toml's install with at least these extras;
# otherwise pip shows its progress (the first install takes several minutes on a fresh machine).
# usage: . scripts/_venv.sh; ensure_venv "test,postgis"
ensure_venv() {
  local extras="$1" stamp=".venv/.zzgeo-install" hash have e
  hash="$(sha256sum pyproject.toml | cut -c1-16)"
  if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(head -1 "$stamp")" = "$hash" ]; then
    have="$(sed -n 2p "$stamp")"
    for e in ${extras//,/ }; do
      case ",$have," in *",$e,"*) ;; *) have="";  break ;; esac
    done
    if [ -n "$have" ] || [ -z "$extras" ]; then
      echo "zzgeo: .venv is up to date; skipping the install (delete .venv/.zzgeo-install to force it)" >&2
      return 0
    fi
  fi
  [ -x .venv/bin/python ] || "${PYTHON:-python3}" -m venv .venv
  echo "zzgeo: installing zzgeo${extras:+[$extras]} into .venv (the first time takes several minutes)..." >&2
  .venv/bin/python -m pip install --disable-pip-version-check -e ".${extras:+[$extras]}" >&2 \
    || { echo "zzgeo: the install failed (see above)" >&2; return 1; }
  printf '%s\n%s\n' "$hash" "$extras" > "$stamp"
}
