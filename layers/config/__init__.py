"""Reading a layer's YAML entry: ``safe_yaml`` (bounded, no code), ``fields`` (typed fields,
every error naming file, layer and field: ``config_error``) and ``registry`` (each kind's
builder, registered in the kind's own module)."""
