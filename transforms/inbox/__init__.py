"""Files as they arrive: the inbox accounted for entry by entry (:mod:`.intake`), kept byte for byte in the
content-addressed archive with every arrival recorded (:mod:`.archive`)."""
