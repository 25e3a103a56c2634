#!/usr/bin/env bash
# First-run install on a RunPod pod: download the PartField checkpoint, verify it, export it to
# ONNX and record the install in $PARTFIELD_ROOT/.partfield_installed. Safe to run again: a current
# install is left alone, a partial download resumes, and a present checkpoint is not downloaded
# twice. Run with --help for the settings.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
LOG_TAG='partfield install'

DEFAULT_CHECKPOINT_URL='https://huggingface.co/mikaelaangel/partfield-ckpt/resolve/main/model_objaverse.ckpt'
# torch 1.13.1 is the version the export script is tested with. The one-time export needs no GPU,
# and the +cpu wheels are a fraction of the size of the CUDA builds.
DEFAULT_TORCH_SPEC='torch==1.13.1+cpu'
DEFAULT_TORCH_INDEX='https://download.pytorch.org/whl/cpu'
# torch 1.13 was built against the numpy 1.x ABI. The exporter checks its output with onnx.
DEFAULT_NUMPY_SPEC='numpy<2'
DEFAULT_ONNX_SPEC='onnx>=1.12,<1.17'

usage() {
  cat <<'EOF'
Usage: install.sh [--force]

Downloads model_objaverse.ckpt, checks its size and SHA-256, exports the ONNX model, checks
that it loads, and writes $PARTFIELD_ROOT/.partfield_installed. Does nothing when that install
is already current. When a SHA-256 was pinned after an unverified install, it verifies the
checkpoint the model came from and exports nothing.

  --force   export again even when the install is current

Environment (defaults in brackets):
  PARTFIELD_ROOT              persistent folder [/workspace]
  PARTFIELD_MODEL             ONNX model to write [$PARTFIELD_ROOT/models/partfield.onnx]
  PARTFIELD_CKPT_URL          checkpoint URL [Hugging Face mikaelaangel/partfield-ckpt]
  PARTFIELD_CHECKPOINT        use this local checkpoint file instead of downloading
  PARTFIELD_CKPT_SHA256       expected SHA-256 (overrides checkpoint.pin)
  PARTFIELD_CKPT_BYTES        expected size in bytes (overrides checkpoint.pin)
  PARTFIELD_REQUIRE_PIN=1     refuse a checkpoint when no SHA-256 is pinned
  HF_TOKEN                    Hugging Face token for the download (curl does not forward
                              it when a redirect leads to another host)
  PARTFIELD_DOWNLOAD_ATTEMPTS download attempts before giving up [5]
  PARTFIELD_RETRY_DELAY_S     first wait between attempts in seconds, doubled each time [5]
  PARTFIELD_INSTALL_MIN_FREE_MB  free space required before a download, in MiB [3072]
  PARTFIELD_PYTHON            Python with torch>=1.13, numpy and onnx to run the export
                              [$PARTFIELD_ROOT/partfield/export-venv, created on demand]
  PARTFIELD_TORCH_SPEC        pip requirement for torch in that venv [torch==1.13.1+cpu]
  PARTFIELD_KEEP_EXPORT_ENV=1 keep that venv after a successful export (it is about 1 GB)
  PARTFIELD_EXPORT_CMD        exporter command, run with --checkpoint FILE --out FILE appended
                              [$PARTFIELD_PYTHON runpod/export_onnx.py]
  PARTFIELD_EXPORT_ARGS       extra arguments for the exporter, for example --fp16
  PARTFIELD_MIN_MODEL_BYTES   smallest file accepted as an exported model, in bytes [1048576];
                              the export must also load in onnxruntime (runpod/check-model.ts)
EOF
}

main() {
  local force=0
  while [ $# -gt 0 ]; do
    case $1 in
      --force) force=1 ;;
      -h | --help) usage; exit 0 ;;
      *) fail "unknown argument: $1" "run install.sh --help for the accepted arguments" ;;
    esac
    shift
  done

  resolve_paths
  resolve_install_version
  mkdir -p "$MODELS_DIR" "$STATE_DIR" "$(dirname "$MODEL_PATH")" ||
    fail "cannot create $MODELS_DIR or $STATE_DIR" "check that $ROOT exists and is writable (on RunPod it is the volume; attach one)"
  take_install_lock

  if [ "$force" -eq 1 ]; then
    INSTALL_STATE="--force given"
  elif install_is_current; then
    log "already installed: $INSTALL_STATE; nothing to do (run with --force to export again)"
    exit 0
  elif [ "$INSTALL_PENDING" = verify ]; then
    verify_installed_checkpoint
    [ "$INSTALL_VERIFIED" -eq 0 ] || exit 0
  fi
  log "installing $INSTALL_VERSION into $ROOT: $INSTALL_STATE"

  pin_checkpoint
  obtain_checkpoint
  export_model
  write_marker "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  log "install complete: model $MODEL_PATH ($(file_size "$MODEL_PATH") bytes)"
}

# Serialises installs, because start.sh may run one while a user runs another by hand.
take_install_lock() {
  if ! command -v flock >/dev/null 2>&1; then
    warn "flock not found; not guarding against a second install running at the same time"
    return 0
  fi
  exec 9>"$STATE_DIR/install.lock"
  if ! flock -n 9; then
    log "another install is running; waiting for it to finish"
    flock -w "${PARTFIELD_LOCK_WAIT_S:-7200}" 9 ||
      fail "timed out waiting for the other install (lock $STATE_DIR/install.lock)" \
        "check with 'ps aux | grep install.sh' whether it is still running; if not, delete the lock file and run again"
  fi
}

# Reads the pinned size and SHA-256 (see resolve_checkpoint_pin) and stops on a malformed pin, or
# on no pin when PARTFIELD_REQUIRE_PIN=1.
pin_checkpoint() {
  resolve_checkpoint_pin ||
    fail "$PIN_PROBLEM" "correct it or empty it; runpod/checkpoint.pin explains where the real value comes from"
  if [ -z "$EXPECTED_SHA256" ] && [ "${PARTFIELD_REQUIRE_PIN:-0}" = 1 ]; then
    fail "PARTFIELD_REQUIRE_PIN=1 but no SHA-256 is pinned for the checkpoint" \
      "set PARTFIELD_CKPT_SHA256, or fill $STATE_DIR/checkpoint.pin (runpod/checkpoint.pin explains how)"
  fi
}

# Checks an install that accepted its checkpoint unverified against the SHA-256 pinned since, and
# records it as verified. The model needs no new export when the checkpoint it was exported from
# matches: the file on the volume, or, when that was deleted to save space, the SHA-256 the
# install recorded. Sets INSTALL_VERIFIED to 1, or to 0 when the file on the volume changed since
# the export, so that a full install follows.
verify_installed_checkpoint() {
  local recorded_path recorded_sha recorded_bytes
  INSTALL_VERIFIED=0
  pin_checkpoint
  recorded_path=$(read_setting "$MARKER" checkpoint_path)
  recorded_sha=$(read_setting "$MARKER" checkpoint_sha256)
  log "the checkpoint was installed without verification; checking it against the SHA-256 pinned in $PIN_SOURCE"

  if [ -f "$recorded_path" ]; then
    verify_checkpoint "$recorded_path" ||
      fail "$CHECK_PROBLEM in $recorded_path, the checkpoint the installed model was exported from" \
        "the model on the volume was exported from another file than the pinned one: delete $recorded_path and run install.sh again to download the pinned checkpoint and export it, or correct the pin"
    if [ "$CHECKPOINT_SHA256" != "$recorded_sha" ]; then
      INSTALL_STATE="$recorded_path changed since the model was exported from it"
      return 0
    fi
  else
    recorded_bytes=$(read_setting "$MARKER" checkpoint_bytes)
    if [ "$recorded_sha" != "$EXPECTED_SHA256" ] || { [ -n "$EXPECTED_BYTES" ] && [ "$recorded_bytes" != "$EXPECTED_BYTES" ]; }; then
      fail "checksum mismatch: the installed model was exported from a checkpoint of $recorded_bytes bytes with SHA-256 $recorded_sha, and $PIN_SOURCE pins ${EXPECTED_BYTES:-any size} with SHA-256 $EXPECTED_SHA256" \
        "run install.sh --force to download the pinned checkpoint and export it again, or correct the pin"
    fi
    log "$recorded_path was deleted after the install; the SHA-256 recorded then matches the pin"
    CHECKPOINT_BYTES=$recorded_bytes
    CHECKPOINT_SHA256=$recorded_sha
  fi

  CHECKPOINT=$recorded_path
  write_marker "$(read_setting "$MARKER" installed_at)"
  INSTALL_VERIFIED=1
  log "install verified: the checkpoint matches the pin from $PIN_SOURCE, so the model needs no new export"
}

# Sets CHECKPOINT to a verified checkpoint file: the user's own, the one already on the volume,
# or a fresh download.
obtain_checkpoint() {
  if [ -n "${PARTFIELD_CHECKPOINT:-}" ]; then
    [ -f "$PARTFIELD_CHECKPOINT" ] ||
      fail "PARTFIELD_CHECKPOINT names $PARTFIELD_CHECKPOINT, which does not exist" \
        "copy the checkpoint there, or unset PARTFIELD_CHECKPOINT to download it"
    verify_checkpoint "$PARTFIELD_CHECKPOINT" ||
      fail "$CHECK_PROBLEM in $PARTFIELD_CHECKPOINT" \
        "replace the file with the published model_objaverse.ckpt, or correct the pinned values"
    CHECKPOINT=$PARTFIELD_CHECKPOINT
    return 0
  fi

  if [ -f "$CHECKPOINT_PATH" ]; then
    log "checking the checkpoint already at $CHECKPOINT_PATH"
    verify_checkpoint "$CHECKPOINT_PATH" ||
      fail "$CHECK_PROBLEM in the existing $CHECKPOINT_PATH" \
        "delete that file and run install.sh again to download it afresh, or correct the pinned values"
    CHECKPOINT=$CHECKPOINT_PATH
    return 0
  fi

  local url=${PARTFIELD_CKPT_URL:-$DEFAULT_CHECKPOINT_URL}
  local part=$CHECKPOINT_PATH.part
  check_free_space
  download_with_resume "$url" "$part"
  if ! verify_checkpoint "$part"; then
    rm -f "$part"
    fail "the downloaded checkpoint was rejected: $CHECK_PROBLEM; the download was deleted" \
      "run install.sh again to download it afresh; if this repeats, the file at $url differs from the pinned one: compare with the published values (runpod/checkpoint.pin explains how) and correct the pin ($PIN_SOURCE)"
  fi
  mv -f "$part" "$CHECKPOINT_PATH"
  CHECKPOINT=$CHECKPOINT_PATH
}

# Checks size and SHA-256 against the pin. Sets CHECKPOINT_SHA256 and CHECKPOINT_BYTES, or
# CHECK_PROBLEM and fails.
verify_checkpoint() {
  local file=$1
  CHECKPOINT_BYTES=$(file_size "$file")
  if [ -n "$EXPECTED_BYTES" ] && [ "$CHECKPOINT_BYTES" != "$EXPECTED_BYTES" ]; then
    CHECK_PROBLEM="size mismatch: expected $EXPECTED_BYTES bytes (from $PIN_SOURCE), found $CHECKPOINT_BYTES"
    return 1
  fi

  log "computing SHA-256 of $file ($CHECKPOINT_BYTES bytes)"
  CHECKPOINT_SHA256=$(sha256_of "$file")
  if [ -z "$EXPECTED_SHA256" ]; then
    warn "checkpoint NOT verified: no SHA-256 is pinned. It is $CHECKPOINT_BYTES bytes with SHA-256 $CHECKPOINT_SHA256; compare with the published values (runpod/checkpoint.pin explains where) and pin them in $STATE_DIR/checkpoint.pin"
    return 0
  fi
  if [ "$CHECKPOINT_SHA256" != "$EXPECTED_SHA256" ]; then
    CHECK_PROBLEM="SHA-256 mismatch: expected $EXPECTED_SHA256 (from $PIN_SOURCE), found $CHECKPOINT_SHA256"
    return 1
  fi
  log "checkpoint verified: $CHECKPOINT_BYTES bytes, SHA-256 matches the pin from $PIN_SOURCE"
}

check_free_space() {
  local required_mb=${PARTFIELD_INSTALL_MIN_FREE_MB:-3072} free_kb
  free_kb=$(df -Pk "$MODELS_DIR" | awk 'NR == 2 { print $4 }')
  if [ -n "$free_kb" ] && [ "$((free_kb / 1024))" -lt "$required_mb" ]; then
    # NOTE: 3 GiB is an estimate. It covers the checkpoint, whose size is not pinned yet, and an
    # ONNX model of about 430 MB (107M float32 parameters), with room to spare.
    fail "only $((free_kb / 1024)) MiB free in $MODELS_DIR, and the install needs about $required_mb MiB" \
      "enlarge the pod's volume (Edit Pod > Volume Disk), or free space there; PARTFIELD_INSTALL_MIN_FREE_MB lowers the threshold"
  fi
}

# Downloads URL into PART, resuming what an earlier attempt or run left there. Retries dropped
# connections and server errors with a doubling delay, but stops at once on 401, 403 and 404,
# which no retry fixes.
download_with_resume() {
  local url=$1 part=$2
  local attempts=${PARTFIELD_DOWNLOAD_ATTEMPTS:-5} delay=${PARTFIELD_RETRY_DELAY_S:-5}
  local attempt=1 status http_code have
  local -a curl_args=(--location --fail --continue-at - --connect-timeout 30
    --speed-limit 1024 --speed-time 120 --write-out '%{http_code}' --output "$part")

  if [ -t 2 ]; then
    curl_args+=(--progress-bar)
  else
    curl_args+=(--no-progress-meter)
  fi
  if [ -n "${HF_TOKEN:-}" ]; then
    # Through a file, so the token shows neither in `ps` nor in this log.
    local header_file=$STATE_DIR/.hf-auth-header
    trap 'rm -f "$STATE_DIR/.hf-auth-header"' EXIT
    (umask 077 && printf 'Authorization: Bearer %s\n' "$HF_TOKEN" >"$header_file")
    curl_args+=(--header "@$header_file")
  fi

  while true; do
    have=$(file_size "$part")
    if [ -n "$EXPECTED_BYTES" ] && [ "$have" -gt "$EXPECTED_BYTES" ]; then
      warn "partial download $part is larger than the pinned size; starting over"
      rm -f "$part"
      have=0
    fi
    if [ -n "$EXPECTED_BYTES" ] && [ "$have" -eq "$EXPECTED_BYTES" ]; then
      log "partial download $part already has all $have bytes"
      break
    fi

    log "downloading $url (attempt $attempt of $attempts, starting at byte $have)"
    status=0
    http_code=$(curl "${curl_args[@]}" "$url") || status=$?
    if [ "$status" -eq 0 ]; then
      log "download finished: $(file_size "$part") bytes in $part"
      break
    fi

    case "$status:$http_code" in
      22:401 | 22:403)
        fail_rejected_download "$url" "$http_code"
        ;;
      22:404)
        fail "checkpoint not found (HTTP 404) at $url" \
          "check PARTFIELD_CKPT_URL; the default is $DEFAULT_CHECKPOINT_URL"
        ;;
      22:416 | 33:*)
        # HTTP 416 means the partial file is longer than the remote one, and curl exit 33 means
        # the server ignores byte ranges. Either way the bytes on disk cannot be resumed.
        warn "cannot resume $part (curl exit $status, HTTP $http_code); starting over"
        rm -f "$part"
        ;;
      *)
        warn "download attempt $attempt failed (curl exit $status, HTTP ${http_code:-none}); $(file_size "$part") bytes kept for resuming"
        ;;
    esac

    if [ "$attempt" -ge "$attempts" ]; then
      have=$(file_size "$part")
      local resume="it downloads the file from the start"
      [ "$have" -eq 0 ] || resume="it resumes from the $have bytes already in $part"
      fail "could not download the checkpoint from $url after $attempts attempts" \
        "check the pod's network and the URL, then run install.sh again: $resume"
    fi
    attempt=$((attempt + 1))
    log "retrying in ${delay}s"
    sleep "$delay"
    delay=$((delay * 2 > 60 ? 60 : delay * 2))
  done
}

# Stops the install after HTTP 401 or 403, with advice that depends on whether a token was sent.
fail_rejected_download() {
  local url=$1 http_code=$2 page="the model's page"
  # https://huggingface.co/OWNER/REPO/resolve/... has its page at https://huggingface.co/OWNER/REPO.
  if [[ $url =~ ^(https://huggingface\.co/[^/]+/[^/]+)/resolve/ ]]; then
    page=${BASH_REMATCH[1]}
  fi
  if [ -z "${HF_TOKEN:-}" ]; then
    fail "the server refused the checkpoint download (HTTP $http_code) from $url" \
      "if the repository needs a login, create a read token at huggingface.co/settings/tokens and set HF_TOKEN in the pod's environment"
  fi
  fail "the server refused the checkpoint download (HTTP $http_code) from $url, although the HF_TOKEN from the environment was sent" \
    "check at huggingface.co/settings/tokens that the token exists and has read access, and, if the model is gated, accept its terms on $page with the same account; then run install.sh again"
}

# Sets EXPORT_CMD: the override from PARTFIELD_EXPORT_CMD, or Python running export_onnx.py.
resolve_export_command() {
  if [ -n "${PARTFIELD_EXPORT_CMD:-}" ]; then
    read -r -a EXPORT_CMD <<<"$PARTFIELD_EXPORT_CMD"
    return 0
  fi

  [ -f "$EXPORT_SCRIPT" ] ||
    fail "the export script $EXPORT_SCRIPT is missing" \
      "the image is incomplete: rebuild it from the repository with runpod/Dockerfile"
  resolve_export_python
  EXPORT_CMD=("$EXPORT_PYTHON" "$EXPORT_SCRIPT")
}

# Sets EXPORT_PYTHON to an interpreter that imports torch, numpy and onnx, creating a venv when the
# user named none. Sets EXPORT_VENV when that venv was made here and may be removed afterwards.
resolve_export_python() {
  EXPORT_VENV=
  if [ -n "${PARTFIELD_PYTHON:-}" ]; then
    "$PARTFIELD_PYTHON" -c 'import torch, numpy, onnx' ||
      fail "PARTFIELD_PYTHON=$PARTFIELD_PYTHON cannot import torch, numpy and onnx" \
        "point PARTFIELD_PYTHON at a Python with torch>=1.13, numpy and onnx, or unset it to let install.sh create one"
    EXPORT_PYTHON=$PARTFIELD_PYTHON
    return 0
  fi

  local venv=$STATE_DIR/export-venv
  EXPORT_PYTHON=$venv/bin/python
  EXPORT_VENV=$venv
  if [ -x "$EXPORT_PYTHON" ] && "$EXPORT_PYTHON" -c 'import torch, numpy, onnx' 2>/dev/null; then
    log "using the export environment in $venv"
    return 0
  fi

  command -v python3 >/dev/null 2>&1 ||
    fail "python3 not found, and the ONNX export needs it" \
      "use the partfield-bridge image, install python3 and python3-venv, or set PARTFIELD_PYTHON"
  log "creating the export environment in $venv (PyTorch for CPU, about 1 GB, removed after the export)"
  python3 -m venv "$venv" ||
    fail "python3 -m venv $venv failed" "install python3-venv (apt-get install python3-venv), or set PARTFIELD_PYTHON"
  # NOTE: the tests cannot reach PyPI, so this set (CPU torch 1.13.1, numpy 1.x, onnx 1.12 to
  # 1.16 on Ubuntu 22.04's Python 3.10) has never been installed by them. The exporter itself is
  # tested with Debian's torch 1.13 and onnx 1.12.
  local -a requirements=("${PARTFIELD_TORCH_SPEC:-$DEFAULT_TORCH_SPEC}"
    "${PARTFIELD_NUMPY_SPEC:-$DEFAULT_NUMPY_SPEC}" "${PARTFIELD_ONNX_SPEC:-$DEFAULT_ONNX_SPEC}")
  "$EXPORT_PYTHON" -m pip install --no-cache-dir --quiet \
    --index-url "${PARTFIELD_TORCH_INDEX:-$DEFAULT_TORCH_INDEX}" \
    --extra-index-url https://pypi.org/simple "${requirements[@]}" ||
    fail "pip could not install ${requirements[*]}" \
      "check the pod's network and run install.sh again; for another Python version set PARTFIELD_TORCH_SPEC (for example torch==2.4.1+cpu), or set PARTFIELD_PYTHON"
}

# Exports to a temporary name first, so an interrupted export never leaves a truncated model
# where the daemon would load it.
export_model() {
  local partial=${MODEL_PATH%.onnx}.partial.onnx started_at status=0
  local -a extra_args=()
  resolve_export_command
  if [ -n "${PARTFIELD_EXPORT_ARGS:-}" ]; then
    read -r -a extra_args <<<"$PARTFIELD_EXPORT_ARGS"
  fi

  local -a command=("${EXPORT_CMD[@]}" "${extra_args[@]}" --checkpoint "$CHECKPOINT" --out "$partial")
  rm -f "$partial"
  log "exporting the ONNX model: ${command[*]}"
  started_at=$(date +%s)
  "${command[@]}" || status=$?
  if [ "$status" -ne 0 ]; then
    rm -f "$partial"
    fail "the ONNX export failed (exit $status); the exporter's own messages are above" \
      "if they name the checkpoint, delete $CHECKPOINT_PATH and run install.sh again; if the export ran out of memory, give the pod more RAM; the checkpoint is kept, so a rerun does not download it again"
  fi
  [ -s "$partial" ] ||
    fail "the exporter exited 0 but wrote nothing to $partial" \
      "run the export command above by hand to see its output, and report it with that output"
  log "checking that $partial loads in onnxruntime"
  if ! check_model_file "$partial"; then
    rm -f "$partial"
    fail "the exporter exited 0, but its output is not a usable model: $MODEL_PROBLEM; it was deleted" \
      "run install.sh again; if this repeats, run the export command above by hand to see its output, and report it with that output; the checkpoint is kept, so a rerun does not download it again"
  fi

  mv -f "$partial" "$MODEL_PATH"
  log "exported $MODEL_PATH: $(file_size "$MODEL_PATH") bytes in $(($(date +%s) - started_at)) s"

  if [ -n "${EXPORT_VENV:-}" ] && [ "${PARTFIELD_KEEP_EXPORT_ENV:-0}" != 1 ]; then
    log "removing the export environment $EXPORT_VENV (PARTFIELD_KEEP_EXPORT_ENV=1 keeps it)"
    rm -rf "$EXPORT_VENV"
  fi
}

# Writes the marker for the model at MODEL_PATH, which check_model_file has passed, with
# INSTALLED_AT as the time of the export.
write_marker() {
  local installed_at=$1 temporary=$MARKER.partial
  {
    echo "# Written by runpod/install.sh. Delete this file, or run install.sh --force, to install again."
    echo "version=$INSTALL_VERSION"
    echo "app_version=$(app_version)"
    echo "installed_at=$installed_at"
    echo "checkpoint_path=$CHECKPOINT"
    echo "checkpoint_bytes=$CHECKPOINT_BYTES"
    echo "checkpoint_sha256=$CHECKPOINT_SHA256"
    if [ -n "$EXPECTED_SHA256" ]; then
      echo "checkpoint_pin=$PIN_SOURCE"
    else
      echo "checkpoint_pin=none (unverified)"
    fi
    echo "model_path=$MODEL_PATH"
    echo "model_bytes=$(file_size "$MODEL_PATH")"
    echo "model_mtime=$(stat -c %Y "$MODEL_PATH")"
    echo "model_check=passed"
  } >"$temporary"
  mv -f "$temporary" "$MARKER"
}

main "$@"
