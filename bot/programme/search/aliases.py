"""Company names people type: short forms and English names (字节 ↔ 字节跳动 ↔ ByteDance).

A group lists the names of one organisation; a query naming any of them also looks for the others.
:data:`SEED` holds the big Chinese and international tech companies; a conference adds its own
groups in its content (``conference.aliases``, docs/content.md), and a group sharing a name with a
seed group extends that group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.programme.search.text import fold

SEED: tuple[tuple[str, ...], ...] = (
    ("字节跳动", "字节", "ByteDance", "火山引擎", "Volcano Engine"),
    ("阿里巴巴", "阿里", "Alibaba", "阿里云", "Alibaba Cloud", "Aliyun", "阿里巴巴集团", "Alibaba Group"),
    ("蚂蚁集团", "蚂蚁", "蚂蚁金服", "Ant Group", "Ant Financial"),
    ("腾讯", "Tencent", "腾讯云", "Tencent Cloud"),
    ("百度", "Baidu", "百度智能云", "Baidu AI Cloud"),
    ("华为", "Huawei", "华为云", "Huawei Cloud"),
    ("美团", "Meituan", "美团点评"),
    ("京东", "JD", "JD.com", "京东云", "JD Cloud"),
    ("快手", "Kuaishou"),
    ("小米", "Xiaomi"),
    ("网易", "NetEase"),
    ("拼多多", "PDD", "Pinduoduo"),
    ("滴滴", "DiDi", "滴滴出行"),
    ("携程", "Trip.com", "Ctrip"),
    ("中兴", "ZTE", "中兴通讯"),
    ("联想", "Lenovo"),
    ("中国移动", "China Mobile", "移动云"),
    ("中国电信", "China Telecom", "天翼云"),
    ("中国联通", "China Unicom"),
    ("深信服", "Sangfor"),
    ("龙蜥", "OpenAnolis", "Anolis"),
    ("欧拉", "openEuler"),
    ("谷歌", "Google", "Alphabet"),
    ("微软", "Microsoft", "MSFT"),
    ("红帽", "Red Hat", "RedHat"),
    ("英特尔", "Intel"),
    ("英伟达", "NVIDIA"),
    ("超威", "AMD"),
    ("高通", "Qualcomm"),
    ("亚马逊", "Amazon", "AWS", "亚马逊云", "Amazon Web Services"),
    ("苹果", "Apple"),
    ("脸书", "Facebook", "Meta"),
    ("甲骨文", "Oracle"),
    ("思科", "Cisco"),
    ("网飞", "Netflix"),
    ("云杉网络", "Yunshan Networks", "云杉"),
    ("谐云", "谐云科技", "Harmony Cloud"),
)


class Aliases:
    """Each known name (folded) → the other names of its organisation."""

    def __init__(self, groups: Iterable[Sequence[str]] = SEED) -> None:
        merged: list[set[str]] = []
        for group in groups:
            names = {fold(name).strip() for name in group} - {""}
            overlapping = [known for known in merged if known & names]
            for known in overlapping:
                names |= known
                merged.remove(known)
            merged.append(names)
        self._others = {name: tuple(sorted(group - {name})) for group in merged for name in group}
        self.phrases = {name for name in self._others if " " in name}  # "red hat": one term, not two

    def others(self, name: str) -> tuple[str, ...]:
        """The other names of the organisation ``name`` (folded) names; () for no known name."""
        return self._others.get(name, ())

    @classmethod
    def with_seed(cls, extra: Iterable[Sequence[str]]) -> Aliases:
        """The seed groups with a conference's own groups added (a shared name joins two groups)."""
        return cls([*SEED, *extra])
