import dagster as dg

# One partition per raw bulletin file, keyed by parsing.ids.bulletin_id.
bulletin_partitions = dg.DynamicPartitionsDefinition(name="bulletins")
