"""Usernames and the shared password of the synthetic demo accounts (printed by `make run`)."""

DEMO_PASSWORD = "landguard-demo"

COUNTY_ADMIN = "guanxian_admin"  # 冠县自然资源和规划局 管理员, scope 371525
TOWNSHIP_OFFICER = "qingquan_officer"  # 清泉街道自然资源所 业务人员, scope 371525001
OTHER_COUNTY_USER = "shenxian_admin"  # 莘县自然资源和规划局 管理员, scope 371522

DEMO_COUNTY_CODE = "371525"  # 冠县
DEMO_TOWNSHIP_CODE = "371525001"  # 清泉街道
OTHER_COUNTY_CODE = "371522"  # 莘县
