import dagster as dg

# One partition per raw bulletin file, keyed by parsing.ids.bulletin_id.
bulletin_partitions = dg.DynamicPartitionsDefinition(name="bulletins")


def unregistered(instance: dg.DagsterInstance, keys) -> list[str]:
    """The keys, in their order, that are not yet partitions of the instance."""
    known = set(instance.get_dynamic_partitions(bulletin_partitions.name))
    return [k for k in keys if k not in known]


def register(instance: dg.DagsterInstance, keys) -> None:
    new = unregistered(instance, keys)
    if new:
        instance.add_dynamic_partitions(bulletin_partitions.name, new)
