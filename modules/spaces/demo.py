"""Demo buildings and rooms, by kind of organisation. Idempotent: run it as often as you like."""

from decimal import Decimal

from modules.spaces import actions
from modules.spaces.models import Building, Campus, Floor, Room

# (code, zh, en, floors above, floors below, [(level, [(room code, zh, en, kind, dept code, m²)])])
HOSPITAL = [
    (
        "MAIN",
        "本部院区",
        "Main campus",
        [
            (
                "OPD",
                "门诊楼",
                "Outpatient Building",
                5,
                1,
                [
                    (
                        -1,
                        [
                            ("B101", "配电房", "Switch room", "plant", "LOG", 80),
                            ("B102", "水泵房", "Pump room", "plant", "LOG", 60),
                        ],
                    ),
                    (
                        1,
                        [
                            ("101", "挂号收费大厅", "Registration hall", "corridor", "OPD", 420),
                            ("102", "急诊科诊室", "Emergency clinic", "clinic", "ER", 36),
                            ("103", "药房", "Pharmacy", "room", "PHA", 120),
                        ],
                    ),
                    (
                        2,
                        [
                            ("201", "内科诊室一", "Internal medicine clinic 1", "clinic", "MED", 18),
                            ("202", "内科诊室二", "Internal medicine clinic 2", "clinic", "MED", 18),
                            ("203", "外科诊室", "Surgery clinic", "clinic", "SUR", 20),
                        ],
                    ),
                    (
                        3,
                        [
                            ("301", "检验科", "Clinical laboratory", "lab", "LAB", 260),
                            ("302", "采血室", "Blood collection room", "clinic", "LAB", 45),
                        ],
                    ),
                ],
            ),
            (
                "INP",
                "住院楼",
                "Inpatient Building",
                12,
                1,
                [
                    (
                        1,
                        [
                            ("101", "住院处", "Admissions office", "office", "ADM", 60),
                            ("102", "护工站", "Care staff station", "room", "NUR", 25),
                        ],
                    ),
                    (
                        5,
                        [
                            ("501", "ICU 监护室", "ICU bay", "ward", "ICU", 300),
                            ("502", "ICU 护士站", "ICU nurses' station", "room", "ICU", 30),
                        ],
                    ),
                    (
                        8,
                        [
                            ("801", "胸外科病房 801", "Thoracic surgery ward 801", "ward", "SUR", 42),
                            ("802", "胸外科病房 802", "Thoracic surgery ward 802", "ward", "SUR", 42),
                            ("803", "护士站", "Nurses' station", "room", "SUR", 28),
                        ],
                    ),
                ],
            ),
            (
                "LOG",
                "后勤综合楼",
                "Facilities Building",
                3,
                0,
                [
                    (
                        1,
                        [
                            ("101", "维修班组", "Maintenance workshop", "room", "LOG", 90),
                            ("102", "总务库房", "General store", "store", "LOG", 150),
                        ],
                    ),
                    (
                        2,
                        [
                            ("201", "后勤保障处办公室", "Facilities office", "office", "LOG", 45),
                            ("202", "调度中心", "Dispatch centre", "office", "LOG", 40),
                        ],
                    ),
                ],
            ),
        ],
    ),
]
HOSPITAL_DEPARTMENTS = [
    ("ADM", "院办", "Hospital office"),
    ("OPD", "门诊部", "Outpatient department"),
    ("ER", "急诊科", "Emergency"),
    ("MED", "内科", "Internal medicine"),
    ("SUR", "胸外科", "Thoracic surgery"),
    ("ICU", "重症医学科", "Intensive care"),
    ("LAB", "检验科", "Clinical laboratory"),
    ("PHA", "药剂科", "Pharmacy"),
    ("NUR", "护理部", "Nursing"),
    ("LOG", "后勤保障处", "Facilities services"),
]

UNIVERSITY = [
    (
        "EAST",
        "东校区",
        "East campus",
        [
            (
                "T1",
                "第一教学楼",
                "Teaching Building 1",
                6,
                0,
                [
                    (
                        1,
                        [
                            ("101", "阶梯教室 101", "Lecture theatre 101", "classroom", "ACA", 220),
                            ("102", "教室 102", "Classroom 102", "classroom", "ACA", 80),
                        ],
                    ),
                    (
                        2,
                        [
                            ("201", "教室 201", "Classroom 201", "classroom", "ACA", 80),
                            ("202", "多媒体教室", "Multimedia classroom", "classroom", "ACA", 90),
                        ],
                    ),
                ],
            ),
            (
                "LIB",
                "图书馆",
                "Library",
                7,
                1,
                [
                    (1, [("101", "借还书大厅", "Circulation hall", "corridor", "LIB", 500)]),
                    (3, [("301", "自习室", "Study room", "room", "LIB", 320)]),
                ],
            ),
            (
                "D3",
                "学生公寓 3 号楼",
                "Student Residence 3",
                6,
                0,
                [
                    (
                        1,
                        [
                            ("101", "宿管值班室", "Warden's office", "office", "HOU", 20),
                            ("102", "洗衣房", "Laundry", "room", "HOU", 35),
                        ],
                    ),
                    (
                        2,
                        [
                            ("201", "宿舍 201", "Dorm room 201", "dorm", "HOU", 24),
                            ("202", "宿舍 202", "Dorm room 202", "dorm", "HOU", 24),
                        ],
                    ),
                ],
            ),
        ],
    ),
]
UNIVERSITY_DEPARTMENTS = [
    ("ACA", "教务处", "Academic affairs"),
    ("LIB", "图书馆", "Library"),
    ("HOU", "学生公寓管理中心", "Student housing"),
    ("LOG", "后勤管理处", "Facilities management"),
]

AGENCY = [
    (
        "HQ",
        "机关大院",
        "Government compound",
        [
            (
                "A",
                "办公主楼",
                "Main office building",
                9,
                1,
                [
                    (
                        1,
                        [
                            ("101", "政务服务大厅", "Service hall", "corridor", "GEN", 600),
                            ("102", "值班室", "Duty room", "office", "GEN", 20),
                        ],
                    ),
                    (
                        3,
                        [
                            ("301", "第一会议室", "Meeting room 1", "meeting", "GEN", 80),
                            ("302", "财务科", "Finance section", "office", "FIN", 60),
                        ],
                    ),
                ],
            ),
            (
                "C",
                "会议中心",
                "Conference centre",
                2,
                0,
                [
                    (1, [("101", "报告厅", "Auditorium", "meeting", "GEN", 400)]),
                ],
            ),
        ],
    ),
]
AGENCY_DEPARTMENTS = [
    ("GEN", "办公室", "General office"),
    ("FIN", "财务科", "Finance section"),
    ("LOG", "机关事务管理局", "Facilities bureau"),
]

GROUP = [
    (
        "HQ",
        "集团总部",
        "Group headquarters",
        [
            (
                "T",
                "总部大楼",
                "Headquarters tower",
                20,
                2,
                [
                    (
                        18,
                        [
                            ("1801", "集团会议室", "Board room", "meeting", "GRP", 120),
                            ("1802", "运营管理部", "Operations office", "office", "OPS", 200),
                        ],
                    ),
                ],
            ),
        ],
    ),
]
GROUP_DEPARTMENTS = [("GRP", "集团办公室", "Group office"), ("OPS", "运营管理部", "Operations")]

BY_KIND = {
    "hospital": (HOSPITAL, HOSPITAL_DEPARTMENTS),
    "university": (UNIVERSITY, UNIVERSITY_DEPARTMENTS),
    "agency": (AGENCY, AGENCY_DEPARTMENTS),
    "enterprise": (AGENCY, AGENCY_DEPARTMENTS),
    "group": (GROUP, GROUP_DEPARTMENTS),
}


def seed(tenant) -> None:
    from identity.defaults import root_department
    from identity.models import Department

    campuses, departments = BY_KIND[tenant.kind]
    root = root_department()
    by_code = {}
    for code, zh, en in departments:
        dept = Department.objects.filter(code=code).first() or root.add_child(code=code, name=zh, name_en=en)
        by_code[code] = dept

    for c_code, c_zh, c_en, buildings in campuses:
        campus = Campus.objects.filter(code=c_code).first() or actions.create_campus(
            code=c_code, name=c_zh, name_en=c_en
        )
        for b_code, b_zh, b_en, above, below, floors in buildings:
            building = Building.objects.filter(campus=campus, code=b_code).first() or actions.create_building(
                campus=campus,
                code=b_code,
                name=b_zh,
                name_en=b_en,
                floors_above_ground=above,
                floors_below_ground=below,
            )
            for level, rooms in floors:
                label = f"B{-level}" if level < 0 else f"{level}F"
                floor = Floor.objects.filter(building=building, level=level).first() or actions.create_floor(
                    building=building,
                    level=level,
                    code=label,
                    name=f"{b_zh} {label}",
                    name_en=f"{b_en} {label}",
                )
                for r_code, r_zh, r_en, kind, dept, area in rooms:
                    if not Room.objects.filter(floor=floor, code=r_code).exists():
                        actions.create_room(
                            floor=floor,
                            code=r_code,
                            name=r_zh,
                            name_en=r_en,
                            kind=kind,
                            department=by_code.get(dept),
                            area_m2=Decimal(area),
                        )
