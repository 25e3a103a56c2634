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

# Prints the value of KEY from a key=value file, or nothing. Accepts Windows line endings and
# spaces around the = and the value, as a file edited by hand may have them.
read_setting() {
  local file=$1 key=$2
  [ -f "$file" ] || return 0
  tr -d '\r' <"$file" | sed -n "s/^[[:space:]]*${key}[[:space:]]*=[[:space:]]*//p" | tail -n 1 |
    sed 's/[[:space:]]*$//'
}

# Prints VALUE without leading and trailing whitespace (spaces, tabs, carriage returns).
trim() {
  local value=$1
  value=${value#"${value%%[![:space:]]*}"}
  printf '%s' "${value%"${value##*[![:space:]]}"}"
}

# Prints a description of VALUE for an error message: quoted, and when it contains characters
# outside printable ASCII (a non-breaking or zero-width space pasted from a web page), once more
# with those escaped the way bash's $'...' quoting writes them.
describe_value() {
  local value=$1 LC_ALL=C
  if [[ $value == *[![:print:]]* ]]; then
    printf "'%s' (%s bytes, with invisible characters shown: %q)" "$value" "${#value}" "$value"
  else
    printf "'%s'" "$value"
  fi
}

# Prints TEXT from stdin without ANSI escape sequences (the colours onnxruntime puts in its log).
strip_ansi() {
  sed 's/\x1b\[[0-9;]*[A-Za-z]//g'
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

# Sets EXPECTED_SHA256, EXPECTED_BYTES and PIN_SOURCE from the environment, the pin file on the
# volume or the pin file in the image, in that order. Sets PIN_PROBLEM and fails when a value is
# malformed.
resolve_checkpoint_pin() {
  local pin_file
  EXPECTED_SHA256=$(trim "${PARTFIELD_CKPT_SHA256:-}")
  EXPECTED_BYTES=$(trim "${PARTFIELD_CKPT_BYTES:-}")
  PIN_SOURCE=environment
  PIN_PROBLEM=

  for pin_file in "$STATE_DIR/checkpoint.pin" "$APP_DIR/runpod/checkpoint.pin"; do
    if [ -z "$EXPECTED_SHA256" ] && [ -z "$EXPECTED_BYTES" ] && [ -f "$pin_file" ]; then
      EXPECTED_SHA256=$(read_setting "$pin_file" sha256)
      EXPECTED_BYTES=$(read_setting "$pin_file" bytes)
      PIN_SOURCE=$pin_file
    fi
  done

  EXPECTED_SHA256=$(printf '%s' "$EXPECTED_SHA256" | tr 'A-F' 'a-f')
  if [ -n "$EXPECTED_SHA256" ] && ! [[ $EXPECTED_SHA256 =~ ^[0-9a-f]{64}$ ]]; then
    PIN_PROBLEM="the pinned SHA-256 $(describe_value "$EXPECTED_SHA256") (from $PIN_SOURCE) is not 64 hexadecimal digits"
    return 1
  fi
  if [ -n "$EXPECTED_BYTES" ] && ! [[ $EXPECTED_BYTES =~ ^[0-9]+$ ]]; then
    PIN_PROBLEM="the pinned size $(describe_value "$EXPECTED_BYTES") (from $PIN_SOURCE) is not a whole number of bytes"
    return 1
  fi
}

# Smallest file accepted as an exported model. The float32 export is about 430 MB and the --fp16
# one about half that, so a file under 1 MiB is a failed or truncated export.
DEFAULT_MIN_MODEL_BYTES=1048576

# Succeeds when FILE is a model the daemon can load: no smaller than PARTFIELD_MIN_MODEL_BYTES,
# starting like an ONNX file, and loadable by onnxruntime-node with the encoder's input and output
# (runpod/check-model.ts). With --no-load as second argument it skips the load, which takes
# seconds for the real model. Otherwise sets MODEL_PROBLEM to the reason and fails.
check_model_file() {
  local file=$1 mode=${2:-} min=${PARTFIELD_MIN_MODEL_BYTES:-$DEFAULT_MIN_MODEL_BYTES} size first output
  local tsx=$APP_DIR/node_modules/.bin/tsx checker=$APP_DIR/runpod/check-model.ts
  MODEL_PROBLEM=
  if ! [[ $min =~ ^[0-9]+$ ]]; then
    MODEL_PROBLEM="PARTFIELD_MIN_MODEL_BYTES=$min is not a whole number of bytes; unset it to use $DEFAULT_MIN_MODEL_BYTES"
    return 1
  fi
  size=$(file_size "$file")
  if [ "$size" -lt "$min" ]; then
    MODEL_PROBLEM="it has $size bytes, and an exported model has at least $min (PARTFIELD_MIN_MODEL_BYTES)"
    return 1
  fi

  # An ONNX file is a protobuf ModelProto. Exporters write its field 1, ir_version (a varint),
  # first, so the first byte is 0x08.
  first=$(head -c 1 "$file" | od -An -tx1 | tr -d ' \n')
  if [ "$first" != 08 ]; then
    MODEL_PROBLEM="it does not start like an ONNX file (first byte 0x${first:-none}, expected 0x08)"
    return 1
  fi

  if [ "$mode" = --no-load ]; then
    return 0
  fi
  if [ ! -x "$tsx" ] || [ ! -f "$checker" ]; then
    warn "cannot load $file to check it, because $tsx or $checker is missing; checked its size and first byte only"
    return 0
  fi
  if ! output=$(timeout 600 "$tsx" "$checker" "$file" 2>/dev/null); then
    MODEL_PROBLEM=$(printf '%s' "${output:-the check timed out or crashed}" | strip_ansi | tail -n 1)
    MODEL_PROBLEM=${MODEL_PROBLEM#model unusable: }
    return 1
  fi
}

# Like check_model_file, but trusts a load check that install.sh recorded in the marker for this
# very file (same size and modification time), so a start does not load the whole model twice.
model_is_usable() {
  local file=$1
  if [ "$(read_setting "$MARKER" model_check)" = passed ] &&
    [ "$(read_setting "$MARKER" model_path)" = "$file" ] &&
    [ "$(read_setting "$MARKER" model_bytes)" = "$(file_size "$file")" ] &&
    [ "$(read_setting "$MARKER" model_mtime)" = "$(stat -c %Y "$file" 2>/dev/null)" ]; then
    check_model_file "$file" --no-load
    return
  fi
  check_model_file "$file"
}

# Succeeds when the marker matches this version, the model it names is still on disk and loads,
# and no SHA-256 was pinned since an unverified install. Otherwise sets INSTALL_STATE to the
# reason, and INSTALL_PENDING to `verify` when only the new pin remains to be checked (install.sh
# then verifies the checkpoint without exporting again) or to `install`.
install_is_current() {
  local marker_version marker_model model_bytes
  INSTALL_PENDING=install
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
  if ! model_is_usable "$MODEL_PATH"; then
    INSTALL_STATE="model file $MODEL_PATH is not a usable model: $MODEL_PROBLEM"
    return 1
  fi

  if [[ $(read_setting "$MARKER" checkpoint_pin) == none* ]]; then
    if ! resolve_checkpoint_pin; then
      INSTALL_STATE="the checkpoint was installed without verification, and $PIN_PROBLEM"
      return 1
    fi
    if [ -n "$EXPECTED_SHA256" ]; then
      INSTALL_STATE="the checkpoint was installed without verification, and a SHA-256 is now pinned (from $PIN_SOURCE)"
      INSTALL_PENDING=verify
      return 1
    fi
  fi

  INSTALL_STATE="installed $(read_setting "$MARKER" installed_at), version $marker_version"
  return 0
}
