"""DurableContext and every durable operation: steps, waits, callbacks, invoke, child contexts,
map, parallel, wait_for_condition.
"""

__all__: list[str] = []
