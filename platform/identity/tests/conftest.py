"""An organisation inside tenant A to test people, roles and scopes against.

ORG 甲医院
├── MED 内科          alice (approver: department and below)
│   ├── CARD 心内科    carl
│   └── RESP 呼吸科    rita
└── SUR 外科          sam
"""

import pytest

from identity import actions
from identity.defaults import root_department
from identity.models import Department, Role, User
from tests.fixtures import PASSWORD


def make_user(username, department, *roles, **fields):
    user = User(
        username=username,
        full_name=fields.pop("full_name", username.title()),
        department=department,
        **fields,
    )
    return actions.save_user(user, password=PASSWORD, roles=[Role.objects.get(code=code) for code in roles])


@pytest.fixture
def org(tenants, in_tenant):
    with in_tenant(tenants.a):
        root = root_department()
        med = actions.create_department(
            Department(code="MED", name="内科", name_en="Internal medicine"), parent=root
        )
        card = actions.create_department(Department(code="CARD", name="心内科"), parent=med)
        resp = actions.create_department(Department(code="RESP", name="呼吸科"), parent=med)
        sur = actions.create_department(Department(code="SUR", name="外科"), parent=root)
        people = {
            "alice": make_user("alice", med, "approver", phone="13812341234"),
            "carl": make_user("carl", card, "end_user", phone="13900001111", id_number="11010519491231002X"),
            "rita": make_user("rita", resp, "worker"),
            "sam": make_user("sam", sur, "dispatcher"),
        }
        med.head = people["alice"]
        actions.save_department(med)
        departments = {d.code: Department.objects.get(pk=d.pk) for d in (med, card, resp, sur)}
    return {"departments": departments, **people}
