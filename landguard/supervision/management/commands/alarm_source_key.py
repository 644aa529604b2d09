"""manage.py alarm_source_key --county 371525 --name "冠县铁塔视频监控平台": create the camera-alarm source (or
issue a new key for an existing one of that name) and print its API key — the only time it is shown. With
--device: print the user name and password cameras use to push on their own (HTTP Basic) instead."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from landguard.regions.models import Region
from landguard.supervision import intake
from landguard.supervision.models import AlarmSource


class Command(BaseCommand):
    help = "Create a camera-alarm source or rotate its API key; prints the key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--county", required=True, help="county code, e.g. 371525")
        parser.add_argument("--name", required=True)
        parser.add_argument("--device", action="store_true",
                            help="issue the device user name and 16-character password for cameras that push on "
                            "their own "
                                 "(Hikvision ISAPI, HTTP Basic) instead of the API key")

    def handle(self, *args, **o) -> None:
        county = Region.objects.filter(code=o["county"], retired_in__isnull=True).first()
        if county is None:
            raise CommandError(f"no current region with code {o['county']}")
        source = AlarmSource.objects.filter(region_code=county.code, name=o["name"]).first()
        if source is None:
            source, key = intake.create_source(actor=None, name=o["name"], county=county)
        elif not o["device"]:
            key = intake.rotate_key(actor=None, source=source)
        if o["device"]:
            username, password = intake.issue_device_credentials(actor=None, source=source)
            self.stdout.write(f"{username} {password}")
            return
        self.stdout.write(key)
