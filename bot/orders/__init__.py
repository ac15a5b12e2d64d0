"""The work-order domain: how a request becomes orders (filing), whichever door it came through."""
