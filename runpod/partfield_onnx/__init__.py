"""PartField's inference network re-implemented for ONNX export (see export_onnx.py)."""
