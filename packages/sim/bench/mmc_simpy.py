# M/M/c in SimPy 2.3.1 (Debian's python3-simpy), the peer of nines' `mmc`
# scenario in simulate.ts: Poisson arrivals, exponential service, c servers,
# one FIFO queue, until `customers` have arrived and been served.
# Prints one JSON object: customers, meanWait, utilization, wallMs.
#   python3 mmc_simpy.py SERVERS UTILIZATION CUSTOMERS SEED
import json
import random
import sys
import time

from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate


class Totals:
    waited = 0.0
    started = 0
    busy = 0.0


class Customer(Process):
    def visit(self, server, rng, mean_service):
        arrived = now()
        yield request, self, server
        Totals.waited += now() - arrived
        Totals.started += 1
        service = rng.expovariate(1.0 / mean_service)
        Totals.busy += service
        yield hold, self, service
        yield release, self, server


class Source(Process):
    def generate(self, customers, rate, server, rng, mean_service):
        for _ in range(customers):
            yield hold, self, rng.expovariate(rate)
            customer = Customer()
            activate(customer, customer.visit(server, rng, mean_service))


def main():
    servers = int(sys.argv[1])
    utilization = float(sys.argv[2])
    customers = int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    mean_service = 1.0
    rng = random.Random(seed)
    started = time.perf_counter()
    initialize()
    server = Resource(capacity=servers, monitored=False)
    source = Source()
    activate(source, source.generate(customers, utilization * servers / mean_service, server, rng, mean_service))
    simulate(until=1e18)
    wall_ms = (time.perf_counter() - started) * 1000
    print(json.dumps({
        "customers": Totals.started,
        "meanWait": Totals.waited / Totals.started,
        "utilization": Totals.busy / (servers * now()),
        "wallMs": wall_ms,
    }))


main()
