"""The lake's own error: a refused write, a time travel that cannot be done."""


class LakeError(RuntimeError):
    pass
