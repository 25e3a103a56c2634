# Paths, settings and log helpers shared by install.sh and start.sh. Sourced, never run.
# The variables set here are read by those scripts, which shellcheck cannot see from this file.
# shellcheck shell=bash disable=SC2034
#
# Everything persistent lives under PARTFIELD_ROOT (default /workspace, the RunPod volume), so a
# pod restart or an image update keeps the checkpoint, the exported model, the token and the jobs.
# Tests point PARTFIELD_ROOT at a temporary folder.

LOG_TAG=partfield

log() {
  printf '[%s] %s\n' "$LOG_TAG" "$*"
}

warn() {
  printf '[%s] WARNING: %s\n' "$LOG_TAG" "$*" >&2
}

# Prints what failed and what to do about it, then exits with status 1.
fail() {
  printf '[%s] ERROR: %s\n' "$LOG_TAG" "$1" >&2
  if [ -n "${2:-}" ]; then
    printf '[%s] What to do: %s\n' "$LOG_TAG" "$2" >&2
  fi
  exit 1
}

# Prints a framed block to stderr, for conditions a user scrolling the pod log must not miss.
banner_warning() {
  local line
  printf '\n' >&2
  printf '!%.0s' {1..78} >&2
  printf '\n' >&2
  for line in "$@"; do
    printf '!! %s\n' "$line" >&2
  done
  printf '!%.0s' {1..78} >&2
  printf '\n\n' >&2
}

# Sets the paths every script uses. APP_DIR is the checkout or the image's copy of the app.
resolve_paths() {
  local script_dir
  script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  APP_DIR=${PARTFIELD_APP_DIR:-$(dirname "$script_dir")}
  ROOT=${PARTFIELD_ROOT:-/workspace}
  MODELS_DIR=$ROOT/models
  STATE_DIR=$ROOT/partfield
  MARKER=$ROOT/.partfield_installed
  MODEL_PATH=${PARTFIELD_MODEL:-$MODELS_DIR/partfield.onnx}
  CHECKPOINT_PATH=$MODELS_DIR/model_objaverse.ckpt
  EXPORT_SCRIPT=$APP_DIR/runpod/export_onnx.py
}

# Prints the size of a file in bytes, or 0 when it does not exist.
file_size() {
  if [ -f "$1" ]; then
    stat -c %s "$1"
  else
    echo 0
  fi
}

sha256_of() {
  sha256sum "$1" | cut -d ' ' -f 1
}

# Prints the value of KEY from a key=value file, or nothing.
read_setting() {
  local file=$1 key=$2
  [ -f "$file" ] || return 0
  sed -n "s/^${key}=//p" "$file" | tail -n 1
}

app_version() {
  sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$APP_DIR/package.json" | head -n 1
}

# Sets INSTALL_VERSION: the app version plus a digest of the exporter's Python sources, so an
# image with a changed exporter re-exports the model even when the app version did not move.
resolve_install_version() {
  local exporter_digest=none
  if [ -f "$EXPORT_SCRIPT" ]; then
    exporter_digest=$(
      find "$EXPORT_SCRIPT" "$APP_DIR/runpod/partfield_onnx" -type f -name '*.py' 2>/dev/null |
        LC_ALL=C sort | xargs cat | sha256sum | cut -c 1-12
    )
  fi
  INSTALL_VERSION="$(app_version)+exporter.$exporter_digest"
}

# Succeeds when the marker matches this version and the model it names is still on disk.
# Otherwise sets INSTALL_STATE to the reason.
install_is_current() {
  local marker_version marker_model model_bytes
  if [ ! -f "$MARKER" ]; then
    INSTALL_STATE="not installed yet ($MARKER is missing)"
    return 1
  fi

  marker_version=$(read_setting "$MARKER" version)
  if [ "$marker_version" != "$INSTALL_VERSION" ]; then
    INSTALL_STATE="installed for version $marker_version, this image is $INSTALL_VERSION"
    return 1
  fi

  marker_model=$(read_setting "$MARKER" model_path)
  model_bytes=$(read_setting "$MARKER" model_bytes)
  if [ "$marker_model" != "$MODEL_PATH" ]; then
    INSTALL_STATE="installed model is $marker_model, PARTFIELD_MODEL now names $MODEL_PATH"
    return 1
  fi
  if [ ! -s "$MODEL_PATH" ] || [ "$(file_size "$MODEL_PATH")" != "$model_bytes" ]; then
    INSTALL_STATE="model file $MODEL_PATH is missing or changed since the install"
    return 1
  fi

  INSTALL_STATE="installed $(read_setting "$MARKER" installed_at), version $marker_version"
  return 0
}
