"""The benchmark harness behind `benchmarks/run.py`, one module per responsibility.

- `procs`: child processes (all stopped on exit, SIGINT and SIGTERM), ports, output, load average;
- `seeding`: a Ventanilla process to measure (environment, CLI seeding, tickets, agent tokens);
- `loads`: the measurements (fan-out, idle sockets, /ask, realistic mix, urgency);
- `infra`: PostgreSQL and Redis for the runs that need them, machine description;
- `report`: the markdown table, the targets met or not, results/latest.*;
- `scenarios`: which servers run which loads, in what order.
"""
