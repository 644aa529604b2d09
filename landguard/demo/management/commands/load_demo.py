from django.core.management.base import BaseCommand

from landguard.demo.loader import load_demo
from landguard.demo.personas import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the synthetic demo county (冠县 371525) once and print the demo logins."

    def handle(self, *args, **options) -> None:
        summary = load_demo()
        if summary.loaded:
            self.stdout.write(self.style.SUCCESS(
                f"演示数据已加载：行政区 {summary.regions} 个（村 {summary.villages}），网格 {summary.grids} 个，"
                f"用户 {summary.users} 个，田长 {summary.field_chiefs} 名。"))
        else:
            self.stdout.write("演示数据已存在，未重复加载。")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}，数据为合成演示数据）：")
        for username, label in summary.logins:
            self.stdout.write(f"  {username:<20} {label}")
