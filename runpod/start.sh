#!/usr/bin/env bash
# Container start command on a RunPod pod: make sure the PartField model is installed, find out
# whether the GPU is usable, and run the daemon on 0.0.0.0:7860 behind a bearer token. Run with
# --help for the settings.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
LOG_TAG='partfield start'

usage() {
  cat <<'EOF'
Usage: start.sh [--dry-run]

Runs install.sh when the model is not installed, checks the GPU, prints the address and the
token, then replaces itself with the daemon.

  --dry-run   do every check and print the summary, but do not start the daemon

Environment (defaults in brackets):
  PARTFIELD_ROOT           persistent folder [/workspace]
  PARTFIELD_TOKEN          bearer token clients must send
                           [generated once, kept in $PARTFIELD_DATA_DIR/token]
  PARTFIELD_DATA_DIR       jobs, results and the token [$PARTFIELD_ROOT/partfield/data]
  GRADIO_SERVER_NAME       address to bind, also read as PARTFIELD_HOST [0.0.0.0]
  GRADIO_SERVER_PORT       port to bind, also read as PARTFIELD_PORT [7860]
  PARTFIELD_DEVICE         auto, cuda or cpu; cuda refuses to start without a working GPU, cpu
                           hides the GPU from the daemon [auto]
  PARTFIELD_AUTO_INSTALL=0 do not run install.sh when the model is missing
  PARTFIELD_REQUIRE_MODEL=1  exit instead of starting with the geometric backend when the
                           PartField model is unavailable
  PARTFIELD_JOB_TTL_HOURS  hours a finished job's files are kept [24]
  PUBLIC_KEY               SSH public key; when set and sshd is installed, sshd is started
EOF
}

main() {
  local dry_run=0
  while [ $# -gt 0 ]; do
    case $1 in
      --dry-run) dry_run=1 ;;
      -h | --help) usage; exit 0 ;;
      *) fail "unknown argument: $1" "run start.sh --help for the accepted arguments" ;;
    esac
    shift
  done

  resolve_paths
  resolve_install_version
  # The daemon reads PARTFIELD_HOST before GRADIO_SERVER_NAME, and likewise for the port.
  HOST=${PARTFIELD_HOST:-${GRADIO_SERVER_NAME:-0.0.0.0}}
  PORT=${PARTFIELD_PORT:-${GRADIO_SERVER_PORT:-7860}}
  DATA_DIR=${PARTFIELD_DATA_DIR:-$STATE_DIR/data}
  mkdir -p "$STATE_DIR" "$DATA_DIR" ||
    fail "cannot create $STATE_DIR" "check that $ROOT exists and is writable (on RunPod it is the volume; attach one)"

  # Checked first, so that an incomplete image fails before a long install.
  local -a daemon=("$APP_DIR/node_modules/.bin/tsx" "$APP_DIR/daemon/src/server/main.ts")
  [ -f "${daemon[1]}" ] ||
    fail "the daemon entry point ${daemon[1]} is missing" "the image is incomplete: rebuild it with runpod/Dockerfile"
  [ -x "${daemon[0]}" ] ||
    fail "${daemon[0]} is missing" "the image is incomplete: rebuild it with runpod/Dockerfile (npm ci must have run)"

  start_sshd
  ensure_installed
  detect_device
  load_token
  print_summary

  if [ "$dry_run" -eq 1 ]; then
    log "dry run: would start ${daemon[*]}"
    exit 0
  fi

  export_daemon_settings
  cd "$APP_DIR"
  exec "${daemon[@]}"
}

# Starts sshd with the key RunPod passes in PUBLIC_KEY, for shell access to a pod's files and logs.
start_sshd() {
  [ -n "${PUBLIC_KEY:-}" ] || return 0
  if ! command -v sshd >/dev/null 2>&1 && [ ! -x /usr/sbin/sshd ]; then
    warn "PUBLIC_KEY is set but sshd is not installed; SSH into this pod is unavailable"
    return 0
  fi

  mkdir -p "$HOME/.ssh" /run/sshd
  chmod 700 "$HOME/.ssh"
  touch "$HOME/.ssh/authorized_keys"
  grep -qxF "$PUBLIC_KEY" "$HOME/.ssh/authorized_keys" || printf '%s\n' "$PUBLIC_KEY" >>"$HOME/.ssh/authorized_keys"
  chmod 600 "$HOME/.ssh/authorized_keys"
  ssh-keygen -A >/dev/null
  if /usr/sbin/sshd; then
    log "sshd started for the key in PUBLIC_KEY"
  else
    warn "sshd failed to start; SSH into this pod is unavailable"
  fi
}

# Sets MODEL_READY to 1 when the PartField model is installed, running install.sh if needed.
ensure_installed() {
  MODEL_READY=0
  if install_is_current; then
    log "PartField model: $INSTALL_STATE"
    MODEL_READY=1
    return 0
  fi

  local reason=$INSTALL_STATE
  if [ "${PARTFIELD_AUTO_INSTALL:-1}" = 0 ]; then
    reason="$reason, and PARTFIELD_AUTO_INSTALL=0"
  else
    log "PartField model: $reason; running install.sh"
    if bash "$APP_DIR/runpod/install.sh"; then
      MODEL_READY=1
      return 0
    fi
    reason="install.sh failed (its messages are above)"
  fi

  if [ "${PARTFIELD_REQUIRE_MODEL:-0}" = 1 ]; then
    fail "the PartField model is unavailable: $reason" \
      "fix the cause above and restart the pod, or unset PARTFIELD_REQUIRE_MODEL to start with the geometric backend"
  fi
  local consequence=(
    "The daemon starts anyway, with the weight-free geometric backend: requests with"
    "backend=auto get geometric features, and backend=partfield is rejected."
  )
  if [ -s "$MODEL_PATH" ]; then
    consequence=(
      "The daemon starts anyway, with the model an earlier install left at"
      "$MODEL_PATH, which may not match this version of the app."
    )
  fi
  banner_warning \
    "The PartField model is not installed: $reason." \
    "${consequence[@]}" \
    "To fix: read the messages above, then run 'bash $APP_DIR/runpod/install.sh' in the pod" \
    "and restart it. README_RUNPOD.md, section Troubleshooting, lists the usual causes."
}

# Sets DEVICE to cuda when nvidia-smi reports a GPU and onnxruntime's CUDA provider runs on it.
# Otherwise sets it to cpu and prints a warning with the reason.
detect_device() {
  local requested=${PARTFIELD_DEVICE:-auto} smi=${PARTFIELD_NVIDIA_SMI:-nvidia-smi} reason probe
  DEVICE=cpu
  GPU_SUMMARY=none

  case $requested in
    auto | cuda | cpu) ;;
    *) fail "PARTFIELD_DEVICE=$requested is not one of auto, cuda, cpu" "set it to auto, cuda or cpu" ;;
  esac
  if [ "$requested" = cpu ]; then
    log "device: cpu, as PARTFIELD_DEVICE=cpu asks"
    return 0
  fi

  if ! command -v "$smi" >/dev/null 2>&1; then
    reason="nvidia-smi was not found, so this container has no NVIDIA GPU attached"
  elif ! GPU_SUMMARY=$("$smi" --query-gpu=name,memory.total,memory.used,driver_version --format=csv,noheader 2>&1); then
    reason="nvidia-smi failed: $(printf '%s' "$GPU_SUMMARY" | head -n 3 | tr '\n' ' ')"
    GPU_SUMMARY=none
  else
    log "GPU (name, memory total, memory used, driver): $(printf '%s' "$GPU_SUMMARY" | tr '\n' ';')"
    if probe=$(timeout 120 "$APP_DIR/node_modules/.bin/tsx" "$APP_DIR/runpod/probe-cuda.ts" 2>&1); then
      DEVICE=cuda
      log "device: cuda (onnxruntime's CUDA execution provider ran a test model)"
      return 0
    fi
    reason="onnxruntime's CUDA execution provider did not start: $(printf '%s' "$probe" | tail -n 3 | tr '\n' ' ')"
  fi

  if [ "$requested" = cuda ]; then
    fail "PARTFIELD_DEVICE=cuda but the GPU is unusable: $reason" \
      "deploy on a GPU pod with a driver for CUDA 12.4 or later (README_RUNPOD.md, GPU choices), or set PARTFIELD_DEVICE=auto to run on the CPU"
  fi
  banner_warning \
    "NO GPU: running on the CPU." \
    "Why: $reason" \
    "PartField features take minutes per mesh on a CPU instead of seconds." \
    "To fix: deploy on a GPU pod whose host driver supports CUDA 12.4 or later" \
    "(README_RUNPOD.md, GPU choices). Set PARTFIELD_DEVICE=cpu to silence this warning."
}

# Sets TOKEN from PARTFIELD_TOKEN, or from the token file, creating it on first start. The file
# is the one the daemon itself would use in its data folder, so `npm start` run by hand with the
# same PARTFIELD_DATA_DIR accepts the same token.
load_token() {
  local token_file=$DATA_DIR/token
  if [ -n "${PARTFIELD_TOKEN:-}" ]; then
    TOKEN=$PARTFIELD_TOKEN
    TOKEN_SOURCE="PARTFIELD_TOKEN"
    if [ "${#TOKEN}" -lt 16 ]; then
      warn "PARTFIELD_TOKEN has only ${#TOKEN} characters; anyone who guesses it can use this pod, so use 16 or more"
    fi
    return 0
  fi

  if [ ! -s "$token_file" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$token_file.partial")
    mv -f "$token_file.partial" "$token_file"
    log "generated a new token in $token_file"
  fi
  TOKEN=$(head -n 1 "$token_file")
  TOKEN_SOURCE=$token_file
}

print_summary() {
  local url backend
  if [ -n "${RUNPOD_POD_ID:-}" ]; then
    url="https://${RUNPOD_POD_ID}-${PORT}.proxy.runpod.net"
  else
    url="https://<pod-id>-${PORT}.proxy.runpod.net"
  fi
  if [ "$MODEL_READY" -eq 1 ]; then
    backend="partfield (model $MODEL_PATH)"
  elif [ -s "$MODEL_PATH" ]; then
    backend="partfield, from an incomplete or older install (model $MODEL_PATH)"
  else
    backend="geometric only (PartField model not installed)"
  fi

  cat <<EOF

==============================================================================
 partfield-bridge $(app_version) on $HOST:$PORT
------------------------------------------------------------------------------
 URL      $url
EOF
  if [ -z "${RUNPOD_POD_ID:-}" ]; then
    echo "          (RUNPOD_POD_ID is not set: put your pod's id in place of <pod-id>)"
  fi
  cat <<EOF
 Token    $TOKEN
          (from $TOKEN_SOURCE)
 Device   $DEVICE
 Backend  $backend
 Jobs     $DATA_DIR, deleted ${PARTFIELD_JOB_TTL_HOURS:-24} h after they finish

 Check it: curl $url/health
 Clients (web page, Blender add-on, watch folders) need the URL and the token.
==============================================================================

EOF
}

# Hands the settings to the daemon through its environment.
export_daemon_settings() {
  export PARTFIELD_HOST=$HOST GRADIO_SERVER_NAME=$HOST
  export PARTFIELD_PORT=$PORT GRADIO_SERVER_PORT=$PORT
  export PARTFIELD_TOKEN=$TOKEN
  export PARTFIELD_MODEL=$MODEL_PATH
  export PARTFIELD_DATA_DIR=$DATA_DIR
  export PARTFIELD_JOB_TTL_HOURS=${PARTFIELD_JOB_TTL_HOURS:-24}
  if [ "${PARTFIELD_DEVICE:-auto}" = cpu ]; then
    # The daemon uses CUDA whenever onnxruntime finds a device, so the GPU is hidden from it.
    export CUDA_VISIBLE_DEVICES=
  fi
}

main "$@"
