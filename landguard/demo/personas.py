"""Usernames and the shared password of the synthetic demo accounts (printed by `make run`): one per role."""

DEMO_PASSWORD = "landguard-demo"

COUNTY_ADMIN = "guanxian_admin"  # 冠县自然资源和规划局 管理员, scope 371525
TOWNSHIP_OFFICER = "qingquan_officer"  # 清泉街道自然资源所 业务人员, scope 371525001
OTHER_COUNTY_USER = "shenxian_admin"  # 莘县自然资源和规划局 管理员, scope 371522
LEADER = "guanxian_leader"  # 冠县局分管领导, scope 371525
ENFORCER = "guanxian_enforcer"  # 冠县执法中队队员, scope 371525
DEMO_FIELD_CHIEF_VILLAGE = "371525001003"  # 清泉街道 西郑社区 (synthetic village; the tests use the first)
FIELD_CHIEF = f"chief_{DEMO_FIELD_CHIEF_VILLAGE}"  # its 村级田长, with tasks (demo/supervision.py)

DEMO_COUNTY_CODE = "371525"  # 冠县
DEMO_TOWNSHIP_CODE = "371525001"  # 清泉街道
OTHER_COUNTY_CODE = "371522"  # 莘县
