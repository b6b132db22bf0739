"""Files stored beside the tables (evidence crops, publications), local or on an object store."""

from __future__ import annotations

from pathlib import Path


class Artifacts:
    """Artifact files of :class:`lake.Lake` (a mixin over the lake's root)."""

    root: str
    is_local: bool

    def artifact_uri(self, kind: str, name: str) -> str:
        """URI of a file stored beside the tables (evidence crops, publications)."""
        return f"{self.root}/{kind}/{name}"

    def put_artifact(self, kind: str, name: str, data: bytes) -> str:
        uri = self.artifact_uri(kind, name)
        if self.is_local:
            path = Path(uri)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        else:
            import pyarrow.fs as pafs

            fs, path_in_store = pafs.FileSystem.from_uri(uri)
            with fs.open_output_stream(path_in_store) as out:
                out.write(data)
        return uri

    def get_artifact(self, uri: str) -> bytes:
        if "://" not in uri or uri.startswith("file://"):
            return Path(uri.removeprefix("file://")).read_bytes()
        import pyarrow.fs as pafs

        fs, path = pafs.FileSystem.from_uri(uri)
        with fs.open_input_stream(path) as inp:
            return inp.read()
