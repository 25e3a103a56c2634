def convert_to_float16(src, dst):
    raise NotImplementedError
