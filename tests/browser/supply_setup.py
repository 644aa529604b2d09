"""Run on the browser test's server database (server_script): a free square in an approved demo dossier, written
as a GeoJSON file, and the dossier's 批而未供 remainder before the supply; prints JSON."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landguard.settings")
django.setup()

import shapely  # noqa: E402

from landguard.core.geodesy import ellipsoidal_area_m2, mu  # noqa: E402
from landguard.core.scope import EVERYTHING  # noqa: E402
from landguard.supply import rates  # noqa: E402
from supply.helpers import approved_dossier, square_in  # noqa: E402

dossier = approved_dossier(3)
square = square_in(dossier, half=0.0006)
path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/supply-browser-parcel.geojson"
with open(path, "w", encoding="utf-8") as out:
    json.dump({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                                                          "geometry": json.loads(shapely.to_geojson(square))}]}, out)
row = rates.dossier_supply(rates.approved_dossiers(EVERYTHING).filter(pk=dossier.pk))[0]
print(json.dumps({"dossier": dossier.pk, "path": path, "remainder_mu": mu(row.remainder_m2),
                  "parcel_mu": mu(float(ellipsoidal_area_m2(square)[0]))}))
