"""What every layer kind is built from: the interface (``base.Layer``), its fixed-point types
(``types.LayerTypes``), its HLS loop nest (``loop_nest``), what it computes and moves
(``workload``), and ``mac_layer.MacLayer``, the part of the interface conv and dense share."""
