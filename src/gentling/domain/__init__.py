"""The pure domain core: protocols, the engine, the plan and the guardrails.

Nothing here imports Django or touches a database, a clock or the network;
"today" is always a parameter. A test enforces that.
"""
