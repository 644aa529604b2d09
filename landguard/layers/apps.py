from django.apps import AppConfig


class LayersConfig(AppConfig):
    name = "landguard.layers"
    label = "layers"

    def ready(self) -> None:
        from landguard.layers import extensions  # noqa: F401  the search of layers, for the shell
        from landguard.layers import jobs  # noqa: F401  registers the layer-import job handler
