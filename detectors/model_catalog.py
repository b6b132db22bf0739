"""The models we know: where their files sit under the assets folder, how to decode them, their labels,
and the pinned sha256 of every file `hue-ioc assets fetch` downloads.

The assets folder is always given by the caller (the CLI or the Dagster definitions resolve it from the
settings); nothing here reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

COCO80 = (
    "person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant stop_sign "
    "parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe backpack umbrella handbag tie "
    "suitcase frisbee skis snowboard sports_ball kite baseball_bat baseball_glove skateboard surfboard "
    "tennis_racket bottle wine_glass cup fork knife spoon bowl banana apple sandwich orange broccoli carrot "
    "hot_dog pizza donut cake chair couch potted_plant bed dining_table toilet tv laptop mouse remote keyboard "
    "cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear hair_drier toothbrush"
).split()

OMZ_BASE = "https://storage.openvinotoolkit.org/repositories/open_model_zoo"


@dataclass(frozen=True)
class ModelSpec:
    """A known model: its files under the assets folder, how to decode it, its labels."""

    name: str
    version: str  # the release the files come from
    decoder: str  # ssd | yolox | yolov8
    labels: dict[int, str]
    precisions: tuple[str, ...]
    default_precision: str
    url_base: str  # where `hue-ioc assets fetch` downloads from: <url_base>/<precision>/<file>

    def relpath(self, precision: str | None = None) -> str:
        p = precision or self.default_precision
        if self.decoder == "ssd":
            return f"models/intel/{self.name}/{p}/{self.name}.xml"
        return f"models/onnx/{self.name.replace('-', '_')}.onnx"


def _omz(name: str, release: str, labels: dict[int, str], precisions: tuple[str, ...],
         default: str = "FP16") -> ModelSpec:
    return ModelSpec(name=name, version=f"omz-{release}", decoder="ssd", labels=labels,
                     precisions=precisions, default_precision=default,
                     url_base=f"{OMZ_BASE}/{release}/models_bin/{'3' if release == '2022.1' else '1'}/{name}")


MODELS: dict[str, ModelSpec] = {m.name: m for m in [
    _omz("person-vehicle-bike-detection-2000", "2022.3", {0: "vehicle", 1: "person", 2: "bike"},
         ("FP16", "FP16-INT8")),
    _omz("vehicle-detection-0200", "2023.0", {0: "vehicle"}, ("FP16",)),
    _omz("vehicle-license-plate-detection-barrier-0106", "2022.3", {1: "vehicle", 2: "plate"},
         ("FP16-INT8", "FP32"), default="FP16-INT8"),
    _omz("person-vehicle-bike-detection-crossroad-1016", "2022.3", {0: "bike", 1: "vehicle", 2: "person"},
         ("FP16-INT8",), default="FP16-INT8"),
    _omz("pedestrian-and-vehicle-detector-adas-0001", "2023.0", {1: "vehicle", 2: "person"}, ("FP16",)),
    _omz("vehicle-attributes-recognition-barrier-0039", "2022.1", {}, ("FP16",)),
    ModelSpec(name="yolox-nano", version="yolox-0.1.1-coco-onnx-opset11", decoder="yolox",
              labels=dict(enumerate(COCO80)), precisions=("FP32",), default_precision="FP32",
              url_base="https://raw.githubusercontent.com/Kazuhito00/YOLOX-ONNX-TFLite-Sample/"
                       "3d4f1119d0694200671c08069ecb847aa0d8495a/model"),
]}

# sha256 of every file `hue-ioc assets fetch` downloads, relative to the assets folder
# (from ../shared/assets/SOURCES.md: byte-identical to the official Open Model Zoo release files).
PINNED_SHA256: dict[str, str] = {
    "models/intel/person-vehicle-bike-detection-2000/FP16/person-vehicle-bike-detection-2000.xml": "6ad90c755fa3506e5d58a9f3f85c41994064bcf220b66c20d2996165ea6c6509",
    "models/intel/person-vehicle-bike-detection-2000/FP16/person-vehicle-bike-detection-2000.bin": "f20d648ac608e84b249d8ff36a897478f7142b5bdaa7b4b768cda0d5e4add3ec",
    "models/intel/person-vehicle-bike-detection-2000/FP16-INT8/person-vehicle-bike-detection-2000.xml": "ebc7d52ee0c2135a20b222dc911dfb4f6cb34f20c76ebdbab79cda8f8fcdc90c",
    "models/intel/person-vehicle-bike-detection-2000/FP16-INT8/person-vehicle-bike-detection-2000.bin": "b3870f0fa4b0d3f6e52cca89ff44f34088611a7f40093c0df78e8a693e045f73",
    "models/intel/vehicle-detection-0200/FP16/vehicle-detection-0200.xml": "306f228315b4f6002d669db1205e4a11e4d7d4f39488be94294f863ae5a2e019",
    "models/intel/vehicle-detection-0200/FP16/vehicle-detection-0200.bin": "0c46011610964399a3cf5b1a3f8b1c8c2d84b914a69c02bc026b4e0272f464ce",
    "models/intel/vehicle-license-plate-detection-barrier-0106/FP16-INT8/vehicle-license-plate-detection-barrier-0106.xml": "3484cfb8f89fec199a21239ec81853ad565b5a734b2069502f9fb971d33f5515",
    "models/intel/vehicle-license-plate-detection-barrier-0106/FP16-INT8/vehicle-license-plate-detection-barrier-0106.bin": "43be2b7622af71a07b10bc303f28584a0727ebeef48d85128f2783ffe0b9389d",
    "models/intel/vehicle-license-plate-detection-barrier-0106/FP32/vehicle-license-plate-detection-barrier-0106.xml": "3f162572eca8e4f27a7345fd4fc2fb0dc2d36abcf4eb31494433fdbf29d534ce",
    "models/intel/vehicle-license-plate-detection-barrier-0106/FP32/vehicle-license-plate-detection-barrier-0106.bin": "f84139f97805d343273e840d47b81c89a7c96c6263226a5622670e66424fb2a1",
    "models/intel/vehicle-attributes-recognition-barrier-0039/FP16/vehicle-attributes-recognition-barrier-0039.xml": "376da48380a0aba95c9312399cfb23e9c8b443aeeb95434b9880d051c4263d28",
    "models/intel/vehicle-attributes-recognition-barrier-0039/FP16/vehicle-attributes-recognition-barrier-0039.bin": "9cec361ba7777456d37ce2393fe8242ea3d76af36cd67614eb2f2531df6662a6",
    "models/intel/person-vehicle-bike-detection-crossroad-1016/FP16-INT8/person-vehicle-bike-detection-crossroad-1016.xml": "928d88f62ddc4ea1265806129d6cdf4df5d84dd5061f6794ca4e3aa42d641253",
    "models/intel/person-vehicle-bike-detection-crossroad-1016/FP16-INT8/person-vehicle-bike-detection-crossroad-1016.bin": "7bcfdc7929aa6793c8de737e34fb9c1870133e56f5c09d03a740e3758ba26e6d",
    "models/intel/pedestrian-and-vehicle-detector-adas-0001/FP16/pedestrian-and-vehicle-detector-adas-0001.xml": "4d236db21353c1d6ea79667c12162dc64b5503802f17a1c6fc49141e51ba276a",
    "models/intel/pedestrian-and-vehicle-detector-adas-0001/FP16/pedestrian-and-vehicle-detector-adas-0001.bin": "f20bcc4a800ac622c1f4217f3ff0661f937879bd5ccc0fe6694458f89b7ddbeb",
    "models/onnx/yolox_nano.onnx": "695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14",
}


def model_spec(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known: {sorted(MODELS)}") from None



def asset_file(assets: str | Path | None, relative: str) -> Path:
    """Path of one file under the assets folder, with a clear error that says how to get it."""
    if assets is not None and (Path(assets) / relative).exists():
        return Path(assets) / relative
    where = f"under {assets}" if assets is not None else "(no assets folder given)"
    raise FileNotFoundError(
        f"không tìm thấy tệp mô hình/video / asset not found: {relative} {where}. Set HUE_IOC_ASSETS to the "
        "assets folder (CI uses ../shared/assets) or run `hue-ioc assets fetch`.")
