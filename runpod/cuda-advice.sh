# The fix to suggest when onnxruntime's CUDA execution provider does not start, chosen by the
# cause its message names. Sourced by start.sh, never run.
# shellcheck shell=bash disable=SC2034

# Sets CUDA_ADVICE to the lines of advice for the provider failure in REASON.
cuda_failure_advice() {
  local reason=$1 missing
  # The dynamic loader's message names the file it could not open:
  # "/path/libname.so.9: cannot open shared object file: No such file or directory".
  missing=$(printf '%s' "$reason" | grep -o '[A-Za-z0-9_.+-]*\.so[.0-9]*: cannot open shared object file' |
    head -n 1 | cut -d : -f 1)

  case $missing in
    libonnxruntime_providers_*)
      CUDA_ADVICE=(
        "onnxruntime-node was installed without its CUDA provider ($missing is missing)."
        "This is a problem of the image, not of the pod's GPU: install onnxruntime-node with"
        "ONNXRUNTIME_NODE_INSTALL=cuda12 set (runpod/Dockerfile does), or rebuild the image from it."
      )
      ;;
    libcudnn* | libcublas* | libcudart* | libcufft* | libcurand* | libnvrtc*)
      CUDA_ADVICE=(
        "The image lacks the CUDA 12 or cuDNN 9 library $missing. This is a problem of the image,"
        "not of the pod's GPU: build it from runpod/Dockerfile, or on a base with CUDA 12 and cuDNN 9."
      )
      ;;
    libcuda.so*)
      CUDA_ADVICE=(
        "The container cannot reach the host's NVIDIA driver ($missing is missing)."
        "Deploy on a GPU pod; on your own Docker host, run the container with --gpus all."
      )
      ;;
    *)
      if [[ $reason == *"driver version is insufficient"* ]]; then
        CUDA_ADVICE=(
          "The host's NVIDIA driver is too old for CUDA 12.4. Deploy again with RunPod's CUDA"
          "version filter set to 12.4 or later (README_RUNPOD.md, GPU choices)."
        )
      else
        CUDA_ADVICE=(
          "Deploy on a GPU pod whose host driver supports CUDA 12.4 or later"
          "(README_RUNPOD.md, GPU choices)."
        )
      fi
      ;;
  esac
}
