#!/usr/bin/env python3
"""Writes seeds/demo/cases/*.xml and seeds/demo/desk-day.xml: a realistic day (2026-11-26, a
Thursday) at the Zhaohua District hall's company start-up desk.

A development-time generator: its output is committed and Kaiban does not need Python to run.
ID numbers get correct GB 11643 check characters here. Run: python3 Scripts/gen-demo-cases.py
"""
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "seeds" / "demo"
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def citizen_id(division, birth, seq):
    body = f"{division}{birth}{seq:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


PEOPLE = {}


def person(name, division, birth, seq):
    PEOPLE[name] = citizen_id(division, birth, seq)
    return name


# name -> ID number (Sichuan, Guangyuan and Chongqing divisions; one issued in 元坝区 before 2013 keeps 510811)
for args in [
    ("张伟", "510811", "19850312", 17), ("李秀英", "510802", "19790908", 24), ("王磊", "510811", "19920115", 35),
    ("刘洋", "510812", "19880627", 41), ("陈静", "500103", "19900219", 58), ("杨帆", "510811", "19950704", 63),
    ("赵敏", "510821", "19830430", 72), ("黄强", "500106", "19761111", 89), ("周婷", "510811", "19980823", 92),
    ("吴刚", "510823", "19701205", 13), ("徐丽", "510811", "19870316", 26), ("孙浩", "500108", "19930521", 37),
    ("马琳", "510824", "19840918", 48), ("朱军", "510811", "19680207", 51), ("胡梅", "510811", "19720629", 64),
    ("郭涛", "510802", "19910131", 75), ("何平", "510811", "19650818", 86), ("高燕", "510811", "19690403", 97),
    ("林峰", "500101", "19890728", 18), ("罗娟", "510811", "19961009", 29), ("梁勇", "510811", "19740522", 31),
    ("宋佳", "510822", "19991230", 42), ("郑红", "510811", "19620301", 53), ("谢斌", "510811", "19810714", 65),
    ("韩雪", "500113", "19940206", 76), ("唐明", "510811", "19780919", 87), ("冯建国", "510811", "19600515", 19),
    ("邓春花", "510811", "19670722", 28), ("曹志强", "510811", "19710810", 39), ("彭桂兰", "510811", "19640125", 44),
    ("钱进", "510811", "19860412", 23), ("孔亮", "510812", "19900808", 57),
]:
    person(*args)

ALL_TASKS = "seal tax social-insurance provident-fund bank"
ROAD = ["元坝镇中街", "昭化镇太守街", "卫子镇新华街", "红岩镇临江路", "磨滩镇滨河路", "柏林沟镇兴隆街", "虎跳镇花园路", "王家镇正街"]


# 寄递办: where each mail case's licence goes, the post that brought its documents (carrier, tracking
# number) and what the hall posted back (at, carrier, tracking number, items).
MAILING = {
    "04-one-person-mail": "重庆市渝中区解放碑民族路188号 陈静收 16000023757",
    "13-individual-mail": "四川省广元市昭化区昭化镇太守街21号 罗娟收 13000095028",
    "21-llc-mail-late": "四川省广元市利州区东坝街道万达广场3栋1201室 高燕收 15000158380",
}
MAIL_RECEIVED = {
    "04-one-person-mail": ("EMS", "1186352019705"),
    "13-individual-mail": ("SF", "SF1402837365512"),
    "21-llc-mail-late": ("EMS", "EA402718365CN"),
}
MAIL_SENT = {"04-one-person-mail": ("11:05", "EMS", "1186352047216", "licence notices")}

# 预约办: the supervisor opens lunch-time extended hours (延时服务) before the day starts; the window
# books slots by phone at 08:30-08:45. Each appointment case checks in with its booking; 孔亮's 11:00
# booking is never used (a no-show at 11:15).
EXTENDED_HOURS = ("08:20", "zhouqiang", "12:00", "13:30", 2, "午间延时服务：为上午无法到场的预约申请人办理")
BOOKINGS = [
    # (ref, booked at, by, slot, name, phone, case file or None)
    ("b-05", "08:30", "liuyang", "09:30", "赵敏", "13900072318", "05-partnership-appointment"),
    ("b-12", "08:33", "chenjing", "10:30", "林峰", "15000188412", "12-llc-appointment"),
    ("b-no-show", "08:36", "wangfang", "11:00", "孔亮", "13700057601", None),
    ("b-24", "08:40", "wangfang", "12:00", "钱进", "18800023419", "24-llc-appointment-lunch"),
    ("b-18", "08:45", "liuyang", "13:30", "周婷", "13600092873", "18-sole-appointment-startup"),
]


def application(index, channel, kind, name, capital, scope, legal, investors, tasks, tenure=None, mailing=None):
    """investors: list of (name, contribution yuan, kind)"""
    road = ROAD[index % len(ROAD)]
    contact = investors[0][0] if investors else legal
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<application xmlns="urn:kaiban:case:1" channel="{channel}" type="{kind}">',
        f"  <name>{escape(name)}</name>",
    ]
    if capital is not None:
        lines.append(f"  <capital>{capital}</capital>")
    lines += [
        f'  <domicile division="510811"{f" tenure={quoteattr(tenure)}" if tenure else ""}>四川省广元市昭化区{road}{index + 3}号</domicile>',
        f"  <scope>{escape(scope)}</scope>",
        f'  <legal-representative name="{legal}" id-number="{PEOPLE[legal]}"/>',
    ]
    for inv_name, amount, inv_kind in investors:
        if inv_kind == "person":
            lines.append(f'  <investor name="{inv_name}" id-number="{PEOPLE[inv_name]}" contribution="{amount}"/>')
        else:
            lines.append(f'  <investor name="{inv_name}" kind="{inv_kind}" id-number="{inv_kind_code(inv_name)}" contribution="{amount}"/>')
    lines.append(f'  <contact name="{contact}" phone="1{(3 + index % 6)}{(index * 7919) % 10**9:09d}"/>')
    if mailing:
        lines.append(f"  <mailing-address>{escape(mailing)}</mailing-address>")
    if tasks:
        lines.append(f"  <tasks>{tasks}</tasks>")
    if file_of(index) in SPECIAL:
        kind_, reason = SPECIAL[file_of(index)]
        lines.append(f'  <special kind="{kind_}">{escape(reason)}</special>')
    lines.append("</application>")
    return "\n".join(lines) + "\n"


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(prefix, org8):
    """A unified social credit code (GB 32100-2015) with both check characters right."""
    values = [int(c, 36) for c in org8]
    org_check = 11 - sum(v * w for v, w in zip(values, [3, 7, 9, 10, 5, 8, 4, 2])) % 11
    org9 = org8 + {10: "X", 11: "0"}.get(org_check, str(org_check))
    body = prefix + org9
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def inv_kind_code(name):
    return uscc("91510811", "MA6BX7K2") if "农投" in name else uscc("91500103", "MA5U4Q0N")


# Special service (特殊办) asked for at intake: kind and reason.
SPECIAL = {
    "06-cooperative-special": ("elderly", "法定代表人冯建国66岁，走绿色通道优先办理"),
    "22-individual-special": ("door-to-door", "经营者邓春花腿部骨折行动不便，申请上门收件"),
}
# Where the door-to-door visits went.
VISIT_PLACE = {"22-individual-special": "四川省广元市昭化区柏林沟镇兴隆街24号"}


def file_of(index):
    return CASES[index][0]


# (file, channel, type, name, capital, scope, legal rep, investors, tasks, intake time, intake clerk, script)
# script: a list of (minutes after the previous step, clerk, action, argument or reason)
NORMAL = [(6, "W", "accept"), (12, "R", "review"), (20, "R", "approve"), (8, "W", "issue-licence")]
CASES = [
    ("01-llc-window", "window", "llc", "广元市昭化区青禾农业科技有限公司", 500000, "农业技术推广服务；农产品初加工", "张伟",
     [("张伟", 300000, "person"), ("李秀英", 200000, "person")], ALL_TASKS, "09:02", "wangfang", "full"),
    ("02-llc-online", "online", "llc", "广元市昭化区古城文旅发展有限公司", 1000000, "旅游开发项目策划咨询；会议及展览服务", "王磊",
     [("王磊", 600000, "person"), ("刘洋", 400000, "person")], "seal tax bank", "09:05", "liuyang", "full"),
    ("03-individual-mobile", "mobile", "individual-business", "广元市昭化区杨帆小吃店", None, "餐饮服务；食品小作坊经营", "杨帆",
     [("杨帆", 30000, "person")], "tax", "09:11", "wangfang", "full"),
    ("04-one-person-mail", "mail", "one-person-llc", "广元市昭化区嘉陵物流有限公司", 300000, "普通货物道路运输；仓储服务", "陈静",
     [("陈静", 300000, "person")], "seal tax social-insurance bank", "09:20", "chenjing", "full"),
    ("05-partnership-appointment", "appointment", "partnership", "广元市昭化区明德企业管理咨询中心（普通合伙）", None,
     "企业管理咨询；财务咨询", "赵敏", [("赵敏", 100000, "person"), ("黄强", 100000, "person")], "seal tax bank", "09:30", "liuyang", "full"),
    ("06-cooperative-special", "special", "farmers-cooperative", "广元市昭化区柏林沟猕猴桃种植专业合作社", None,
     "猕猴桃种植、收购、销售；农业技术培训", "冯建国",
     [("冯建国", 20000, "person"), ("邓春花", 10000, "person"), ("曹志强", 10000, "person"), ("彭桂兰", 10000, "person"),
      ("何平", 10000, "person")], "seal tax", "09:34", "wangfang", "full"),
    ("07-llc-window-correction", "window", "llc", "广元市昭化区蜀道建材有限公司", 2000000, "建筑材料销售；水泥制品制造", "吴刚",
     [("吴刚", 1200000, "person"), ("徐丽", 800000, "person")], ALL_TASKS, "09:41", "liuyang", "correction"),
    ("08-sole-online", "online", "sole-proprietorship", "广元市昭化区孙浩茶叶经营部", None, "茶叶零售；农副产品销售", "孙浩",
     [("孙浩", 50000, "person")], "seal tax", "09:48", "wangfang", "full"),
    ("09-llc-mobile-correction", "mobile", "llc", "广元市昭化区葭萌电子商务有限公司", 800000, "互联网销售；农产品电商服务", "马琳",
     [("马琳", 500000, "person"), ("朱军", 300000, "person")], "seal tax social-insurance", "10:02", "chenjing", "correction"),
    ("10-individual-window-refused", "window", "individual-business", "广元市昭化区胡梅烟花爆竹店", None, "烟花爆竹批发", "胡梅",
     [("胡梅", 50000, "person")], "tax", "10:10", "liuyang", "refused"),
    ("11-llc-online-withdrawn", "online", "llc", "广元市昭化区桔柏渡餐饮管理有限公司", 300000, "餐饮管理；餐饮服务", "郭涛",
     [("郭涛", 300000, "person")], "seal tax", "10:15", "wangfang", "withdrawn"),
    ("12-llc-appointment", "appointment", "llc", "广元市昭化区山水康养服务有限公司", 3000000, "养老服务；健康咨询服务", "林峰",
     [("林峰", 1500000, "person"), ("广元市昭化区农投发展有限公司", 1500000, "company")], ALL_TASKS, "10:30", "chenjing", "deferred"),
    ("13-individual-mail", "mail", "individual-business", "广元市昭化区罗娟服装店", None, "服装零售", "罗娟",
     [("罗娟", 20000, "person")], None, "10:41", "liuyang", "full"),
    ("14-one-person-window-rejected", "window", "one-person-llc", "广元市昭化区梁勇矿产开发有限公司", 500000, "矿产资源开采", "梁勇",
     [("梁勇", 500000, "person")], "seal tax", "10:52", "wangfang", "rejected"),
    ("15-cooperative-mobile", "mobile", "farmers-cooperative", "广元市昭化区王家镇中药材种植专业合作社", None,
     "中药材种植、销售；农业机械服务", "何平",
     [("何平", 30000, "person"), ("高燕", 10000, "person"), ("郑红", 10000, "person"), ("谢斌", 10000, "person"),
      ("唐明", 10000, "person")], "seal tax bank", "11:05", "chenjing", "full"),
    ("16-llc-online-in-review", "online", "llc", "广元市昭化区川渝通达供应链有限公司", 5000000, "供应链管理服务；国内货物运输代理", "韩雪",
     [("韩雪", 3000000, "person"), ("重庆渝中商贸有限公司", 2000000, "company")], ALL_TASKS, "14:12", "chenjing", "review"),
    ("17-llc-window-accepted", "window", "llc", "广元市昭化区红岩水产养殖有限公司", 600000, "水产养殖；水产品销售", "宋佳",
     [("宋佳", 600000, "person")], "seal tax social-insurance provident-fund", "16:40", "wangfang", "accepted"),
    ("18-sole-appointment-startup", "appointment", "sole-proprietorship", "广元市昭化区周婷花艺工作室", None, "花卉零售；礼仪服务", "周婷",
     [("周婷", 30000, "person")], "seal tax bank", "13:35", "liuyang", "startup"),
    ("19-individual-online", "online", "individual-business", "广元市昭化区唐明汽车维修部", None, "机动车维修", "唐明",
     [("唐明", 80000, "person")], "tax", "13:42", "wangfang", "full"),
    ("20-partnership-window-correction", "window", "partnership", "广元市昭化区盛源投资合伙企业（有限合伙）", None,
     "以自有资金从事投资活动", "谢斌", [("谢斌", 500000, "person"), ("郑红", 500000, "person")], "seal tax bank", "15:20", "liuyang",
     "correction-open"),
    ("21-llc-mail-late", "mail", "llc", "广元市昭化区嘉陵江渔业有限公司", 1000000, "水产品批发；渔业技术服务", "高燕",
     [("高燕", 1000000, "person")], "seal tax", "16:55", "chenjing", "received"),
    ("22-individual-special", "special", "individual-business", "广元市昭化区邓春花杂货店", None, "日用百货零售", "邓春花",
     [("邓春花", 10000, "person")], "tax", "14:30", "wangfang", "door-to-door"),
    # Taken in on Monday with the lessor's property certificate deferred for one working day (容缺);
    # the licence came first (先照后补) and the case completed with the deferral open (办结（容缺通过）).
    # The certificate never came: on the day it is overdue, for the supervisor.
    ("23-llc-window-deferred-overdue", "window", "llc", "广元市昭化区太守街文化传媒有限公司", 200000, "文艺创作；广告制作", "彭桂兰",
     [("彭桂兰", 200000, "person")], "seal tax", "2026-11-23 10:05", "liuyang", "deferred-overdue"),
    # Booked for the lunch-time extended hours (延时服务): taken in at 12:10 and completed before the
    # afternoon session; its clock counts those minutes (the hall chose to work).
    ("24-llc-appointment-lunch", "appointment", "llc", "广元市昭化区钱记粮油贸易有限公司", 300000, "粮油零售；农副产品收购", "钱进",
     [("钱进", 300000, "person")], "seal tax", "12:10", "wangfang", "lunch"),
]

# Documents a case's intake lacks, and the plans that defer them (容缺) or return the case (补正).
MISSING = {
    "07-llc-window-correction": "articles",
    "09-llc-mobile-correction": "articles",
    "20-partnership-window-correction": "managing-partner-appointment",
    # The directors' appointment papers must be re-signed: deferred, supplied the same morning.
    "12-llc-appointment": "officer-appointment",
    "23-llc-window-deferred-overdue": "lessor-title",
}
TENURE = {"23-llc-window-deferred-overdue": "leased"}

REVIEWERS = ["lijun", "zhaomin"]


def legal_of(file):
    return next(case[6] for case in CASES if case[0] == file)


def clock(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def to_minutes(text):
    h, m = text.split(":")
    return int(h) * 60 + int(m)


def lunch(t):
    """Nobody acts during the 12:00-13:30 break: a step due then waits until 13:30."""
    return 13 * 60 + 30 if 12 * 60 <= t < 13 * 60 + 30 else t


def script(index, start, window, plan, tasks, channel):
    reviewer = REVIEWERS[index % 2]
    t = to_minutes(start.split()[-1])
    steps = []
    if channel == "mail":
        # The application was posted earlier; the clock starts when the documents reach the desk.
        steps.append(("step", start, window, "receive-documents", None))

    def step(delta, who, action, reason=None):
        nonlocal t
        t = lunch(t + delta)
        steps.append(("step", clock(t), who, action, reason))

    def finish_tasks(open_last=False):
        nonlocal t
        names = tasks.split() if tasks else []
        for n, task in enumerate(names):
            if open_last and n == len(names) - 1:
                break
            t = lunch(t + 7 + (n * 5) % 11)
            steps.append(("task", clock(t), window, task, None))

    if plan in ("full", "startup"):
        for delta, who, action in NORMAL:
            step(delta, window if who == "W" else reviewer, action)
        finish_tasks(open_last=plan == "startup")
    elif plan == "correction":
        step(8, window, "request-correction", "公司章程缺少全体股东签字页，请补签后提交")
        step(55, window, "receive", "articles")
        step(0, window, "resubmit")
        for delta, who, action in NORMAL:
            step(delta, window if who == "W" else reviewer, action)
        finish_tasks()
    elif plan == "door-to-door":
        # Taken in by phone; the clerks visit, collect every document, and the clock starts there.
        step(25, window, "visit", VISIT_PLACE[file_of(index)])
        step(0, window, "receive", "all")
        for delta, who, action in NORMAL:
            step(delta, window if who == "W" else reviewer, action)
        finish_tasks()
    elif plan == "correction-open":
        step(9, window, "request-correction", "合伙协议未载明执行事务合伙人，请补充")
    elif plan == "refused":
        step(7, window, "refuse", "经营范围含烟花爆竹批发，须先取得安全生产许可，不属本窗口登记范围")
    elif plan == "withdrawn":
        step(6, window, "accept")
        step(15, reviewer, "review")
        step(18, window, "withdraw", "申请人拟变更经营场所，申请撤回")
    elif plan == "rejected":
        step(5, window, "accept")
        step(12, reviewer, "review")
        step(25, reviewer, "reject", "矿产资源开采须先取得采矿许可，经营范围不予登记")
    elif plan == "review":
        step(6, window, "accept")
        step(20, reviewer, "review")
    elif plan == "accepted":
        step(7, window, "accept")
    elif plan == "deferred":
        step(5, window, "defer", "officer-appointment")
        step(1, window, "accept")
        step(12, reviewer, "review")
        step(20, reviewer, "approve")
        step(25, window, "supplement", "officer-appointment")
        step(3, window, "issue-licence")
        finish_tasks()
    elif plan == "lunch":
        # During the extended hours, so not moved to 13:30 as other steps are.
        for at, who, action in [
            ("12:16", window, "accept"), ("12:25", reviewer, "review"), ("12:40", reviewer, "approve"),
            ("12:48", window, "issue-licence"), ("12:55", window, "task:seal"), ("13:05", window, "task:tax"),
        ]:
            if action.startswith("task:"):
                steps.append(("task", at, who, action[5:], None))
            else:
                steps.append(("step", at, who, action, None))
    elif plan == "deferred-overdue":
        day_ = start.split()[0]
        for at, who, action, argument in [
            ("10:10", window, "defer", "lessor-title"), ("10:12", window, "accept", None),
            ("10:25", reviewer, "review", None), ("10:45", reviewer, "approve", None),
            ("10:55", window, "issue-licence", None), ("11:05", window, "task:seal", None),
            ("11:15", window, "task:tax", None),
        ]:
            if action.startswith("task:"):
                steps.append(("task", f"{day_} {at}", who, action[5:], None))
            else:
                steps.append(("step", f"{day_} {at}", who, action, argument))
    return steps


def main():
    (OUT / "cases").mkdir(parents=True, exist_ok=True)
    day = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<!-- Generated by Scripts/gen-demo-cases.py: a day at the Zhaohua District hall's start-up desk. -->",
        '<desk-day xmlns="urn:kaiban:desk-day:1" date="2026-11-26" hall="510811">',
        '  <clerk id="zhouqiang" name="周强" roles="supervisor"/>',
        '  <clerk id="wangfang" name="王芳" roles="window"/>',
        '  <clerk id="liuyang" name="刘洋" roles="window"/>',
        '  <clerk id="chenjing" name="陈静" roles="window"/>',
        '  <clerk id="lijun" name="李军" roles="reviewer"/>',
        '  <clerk id="zhaomin" name="赵敏" roles="reviewer"/>',
    ]
    at, by, start, end, capacity, reason = EXTENDED_HOURS
    day.append(
        f'  <extended-hours at="{at}" by="{by}" from="{start}" to="{end}" capacity="{capacity}"'
        f' reason={quoteattr(reason)}/>')
    booking_of = {}
    for ref, at, by, slot, name, phone, file in BOOKINGS:
        day.append(
            f'  <booking at="{at}" by="{by}" ref="{ref}" time="{slot}" name="{name}" id-number="{PEOPLE[name]}"'
            f' phone="{phone}"/>')
        if file:
            booking_of[file] = ref
    for index, (file, channel, kind, name, capital, scope, legal, investors, tasks, start, window, plan) in enumerate(CASES):
        (OUT / "cases" / f"{file}.xml").write_text(
            application(
                index, channel, kind, name, capital, scope, legal, investors, tasks, TENURE.get(file), MAILING.get(file)),
            encoding="utf-8")
        posted = f"2026-11-{23 + index % 3} {15 + index % 3}:{10 + index:02d}" if channel == "mail" else start
        # Papers handed in at the window come with the application; posted ones arrive with the post.
        received = "none" if channel == "mail" or plan == "door-to-door" else "all"
        missing = f' missing="{MISSING[file]}"' if file in MISSING else ""
        booked = f' appointment="{booking_of[file]}"' if file in booking_of else ""
        day.append(
            f'  <case file="cases/{file}.xml" at="{posted}" by="{window}" received="{received}"{missing}{booked}>')
        for kind_, at, who, what, reason in script(index, start, window, plan, tasks, channel):
            if kind_ == "step" and what in ("receive", "supplement"):
                day.append(f'    <{what} at="{at}" by="{who}" codes="{reason}"/>')
                continue
            if kind_ == "step" and what == "visit":
                day.append(
                    f'    <visit at="{at}" by="{who}" place={quoteattr(reason)} clerks="{who} chenjing"'
                    ' note="上门收取全部申请材料"/>')
                continue
            if kind_ == "step" and what == "defer":
                signer = legal_of(file)
                day.append(
                    f'    <defer at="{at}" by="{who}" codes="{reason}" signer="{signer}" signer-id="{PEOPLE[signer]}"'
                    + (' days="1"' if plan == "deferred-overdue" else "") + "/>")
                continue
            if kind_ == "step" and what == "receive-documents":
                # The post arrives (邮件签收) with every document in it.
                carrier, tracking = MAIL_RECEIVED[file]
                day.append(f'    <mail-receive at="{at}" by="{who}" carrier="{carrier}" tracking="{tracking}"/>')
                day.append(f'    <receive at="{at}" by="{who}" codes="all" form="post"/>')
                continue
            attr = "done" if kind_ == "task" else "do"
            extra = f" reason={quoteattr(reason)}" if reason else ""
            day.append(f'    <{kind_} at="{at}" by="{who}" {attr}="{what}"{extra}/>')
        if file in MAIL_SENT:
            at, carrier, tracking, items = MAIL_SENT[file]
            day.append(
                f'    <mail-send at="{at}" by="{window}" carrier="{carrier}" tracking="{tracking}" items="{items}"/>')
        day.append("  </case>")
    day.append("</desk-day>")
    (OUT / "desk-day.xml").write_text("\n".join(day) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
