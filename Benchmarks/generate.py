#!/usr/bin/env python3
"""Generates a platform repository for benchmarks: N apps, P products, platform and product workflows,
with a spread of Score features (several containers, variables with placeholders, resources of the
default provisioner types, service ports, files, probes, annotations, apps without a product, apps with
their own workflows, pinned product workflow approvals). Deterministic: the same arguments and seed
give byte-identical files. Standard library only.

    python3 Benchmarks/generate.py DIR --apps 10000 --products 20 --platform-workflows 4 \
        --product-workflows 3 --seed 1 [--steps-per-workflow 1] [--step-command 'true'] [--git]

The layout is the one docs/ARCHITECTURE.md §1 describes (policies/admin-config.yaml, workflows/platform,
workflows/products/<product>, apps/<app>/score.yaml, apps/<app>/workflows). With --git, DIR becomes a
git work tree with one commit on `main`, and DIR.git a packed bare clone of it (the remote).
"""
import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys

RESOURCE_TYPES = ["postgres", "redis", "s3", "kafka-topic", "mysql", "mongodb", "amqp", "dns", "volume"]
# The outputs each resource type is used for in container variables (a subset every provisioner offers).
RESOURCE_OUTPUTS = {"postgres": ["host", "port", "name", "username"], "mysql": ["host", "port", "name"],
                    "redis": ["host", "port"], "mongodb": ["host", "port"], "amqp": ["host", "port"],
                    "kafka-topic": ["name"], "s3": ["bucket", "region"], "dns": ["host"], "volume": []}
IMAGES = ["ghcr.io/acme/{app}-{c}:{v}", "docker.io/library/nginx:1.27.{p}", "registry.acme.io/{app}/{c}:{v}"]


def blob_id(data: bytes) -> str:
    """git's blob id of `data` (what `innominatus approve` pins)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class Generator:
    def __init__(self, root, args):
        self.root, self.args = root, args
        self.rng = random.Random(args.seed)

    def write(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        return text.encode()

    def steps(self, label, env=None):
        lines = []
        for s in range(self.args.steps_per_workflow):
            command = self.args.step_command.replace("{label}", label)
            lines.append(f"    - name: step-{s}\n      type: shell\n      run: '{command}'\n")
            if env and s == 0:
                lines.append("      env:\n" + "".join(f'        {k}: "{v}"\n' for k, v in env.items()))
        return "".join(lines)

    def workflow(self, kind, name, owner, phase, triggers, product=None, inputs=None, env=None):
        meta = f"  name: {name}\n  description: generated {kind} {name}\n  owner: {owner}\n  phase: {phase}\n"
        if product:
            meta += f"  product: {product}\n"
        spec = f"  triggers: [{triggers}]\n  timeout: 5m\n"
        if inputs:
            spec += f"  inputs: [{', '.join(inputs)}]\n"
        text = f"apiVersion: workflow.dev/v1\nkind: {kind}\nmetadata:\n{meta}spec:\n{spec}  steps:\n"
        return text + self.steps(name, env)

    def generate(self):
        a, rng = self.args, self.rng
        phases = ["pre-deployment", "deployment", "post-deployment"]
        self.write("README.md", f"# Generated platform repository\n\n{a.apps} apps, {a.products} products, seed {a.seed}.\n")
        # Platform workflows: every app runs all of them; half read a script (an input).
        platform = []
        for w in range(a.platform_workflows):
            name = f"platform-check-{w}"
            inputs = None
            if w % 2 == 0:
                script = f"workflows/scripts/{name}.sh"
                self.write(script, f"#!/bin/sh\n# generated check {w}\nexit 0\n")
                inputs = [script]
            self.write(f"workflows/platform/{name}.yaml",
                       self.workflow("PlatformWorkflow", name, "platform-team", phases[w % 3], "all_deployments",
                                     inputs=inputs, env={"LEVEL": str(w)}))
            platform.append(name)
        # Product workflows: each product has a few; a third are pinned by digest; in the first
        # --blocked-products products the last one is not approved yet (blocked, as while awaiting review).
        products = [f"product-{p:03d}" for p in range(a.products)]
        approved = []
        for p, product in enumerate(products):
            for w in range(a.product_workflows):
                name = f"deploy-step-{w}"
                text = self.workflow("ProductWorkflow", name, f"{product}-team", phases[(w + 1) % 3],
                                     "product_deployment", product=product)
                data = self.write(f"workflows/products/{product}/{name}.yaml", text)
                if a.product_workflows > 1 and w == a.product_workflows - 1 and p < a.blocked_products:
                    continue
                approved.append((f"{product}/{name}", blob_id(data) if w % 3 == 0 else None))
        required = "[" + ", ".join(platform[:2]) + "]"
        allowed = "".join(f"    - {{name: {n}, digest: {d}}}\n" if d else f"    - {n}\n" for n, d in approved)
        self.write("policies/admin-config.yaml", f"""# generated (seed {a.seed})
workflowPolicies:
  workflowsRoot: ./workflows
  appsRoot: ./apps
  requiredPlatformWorkflows: {required}
  allowedProductWorkflows:{" []" if not allowed else ""}
{allowed}  allowedStepTypes:
    global: [shell, http]
  maxStepsPerWorkflow: 50
  maxWorkflowDuration: 30m
  maxConcurrentWorkflows: 4
  maxPrunePerPass: 5
{"  delivery: {enabled: false}" + chr(10) if not a.delivery else ""}""")
        for i in range(a.apps):
            self.app(i, products)

    def app(self, i, products):
        a, rng = self.args, self.rng
        name = f"app-{i:05d}"
        product = products[i % len(products)] if products and rng.random() < 0.9 else None
        lines = ["apiVersion: score.dev/v1b1", "metadata:", f"  name: {name}"]
        if product:
            lines.append(f"  product: {product}")
        lines += ["  annotations:", f"    innominatus.dev/owner: team-{rng.randrange(40):02d}",
                  f"    innominatus.dev/cost-center: cc-{rng.randrange(1000, 9999)}"]
        resources = {}
        if a.resources:
            for r in range(rng.choice([0, 0, 1, 1, 1, 2, 2, 3])):
                kind = rng.choice(RESOURCE_TYPES)
                resources[f"{kind.replace('-', '')}{r}"] = kind
        lines.append("containers:")
        for c in range(rng.choice([1, 1, 1, 2, 2, 3])):
            cname = ["api", "worker", "sidecar"][c]
            version = f"{rng.randrange(5)}.{rng.randrange(30)}.{rng.randrange(100)}"
            image = rng.choice(IMAGES).format(app=name, c=cname, v=version, p=rng.randrange(10))
            lines += [f"  {cname}:", f"    image: {image}"]
            if rng.random() < 0.2:
                lines += ['    command: ["/bin/' + cname + '"]', f'    args: ["--workers", "{rng.randrange(1, 16)}"]']
            variables = [f'      LOG_LEVEL: {rng.choice(["debug", "info", "warn"])}', f"      APP: ${{metadata.name}}"]
            for rname, kind in resources.items():
                for output in RESOURCE_OUTPUTS[kind][:2]:
                    variables.append(f"      {rname.upper()}_{output.upper()}: ${{resources.{rname}.{output}}}")
            lines += ["    variables:"] + variables
            if rng.random() < 0.15:
                lines += ["    files:", f"      /etc/{name}/config.yaml:", "        content: |",
                          f"          app: ${{metadata.name}}", f"          shard: {rng.randrange(64)}"]
            cpu, mem = rng.choice([50, 100, 250, 500, 1000]), rng.choice([64, 128, 256, 512, 1024])
            lines += ["    resources:", "      requests:", f"        cpu: {cpu}m", f"        memory: {mem}Mi",
                      "      limits:", f"        cpu: {cpu * 2}m", f"        memory: {mem * 2}Mi"]
            if c == 0 and rng.random() < 0.5:
                lines += ["    readinessProbe:", "      httpGet:", "        path: /healthz", "        port: 8080"]
        if rng.random() < 0.7:
            lines += ["service:", "  ports:", "    http:", "      port: 80", "      targetPort: 8080"]
        if resources:
            lines.append("resources:")
            for rname, kind in resources.items():
                lines += [f"  {rname}:", f"    type: {kind}"]
        self.write(f"apps/{name}/score.yaml", "\n".join(lines) + "\n")
        if a.app_workflow_share > 0 and rng.random() < a.app_workflow_share:
            self.write(f"apps/{name}/workflows/smoke-test.yaml",
                       self.workflow("Workflow", "smoke-test", "app-team", "post-deployment", "all_deployments"))


def git(*args, cwd=None):
    subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost",
                    "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dir")
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--products", type=int, default=20)
    parser.add_argument("--platform-workflows", type=int, default=4)
    parser.add_argument("--product-workflows", type=int, default=3, help="per product")
    parser.add_argument("--steps-per-workflow", type=int, default=1)
    parser.add_argument("--step-command", default="echo {label} $APP_NAME",
                        help="the shell step's command; {label} becomes the workflow's name")
    parser.add_argument("--app-workflow-share", type=float, default=0.1, help="share of apps with their own workflow")
    parser.add_argument("--no-resources", dest="resources", action="store_false", help="no Score resources")
    parser.add_argument("--blocked-products", type=int, default=1,
                        help="products whose last workflow is not approved (blocked)")
    parser.add_argument("--no-delivery", dest="delivery", action="store_false",
                        help="no generated deploy (render and delivery) in the application tier")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--git", action="store_true", help="commit DIR on main and make the packed bare remote DIR.git")
    args = parser.parse_args()
    if os.path.exists(args.dir):
        shutil.rmtree(args.dir)
    os.makedirs(args.dir)
    Generator(args.dir, args).generate()
    if args.git:
        git("init", "-q", args.dir)
        git("add", "-A", cwd=args.dir)
        git("commit", "-q", "-m", f"generated: {args.apps} apps, seed {args.seed}", "--date", "1700000000 +0000",
            cwd=args.dir)
        remote = args.dir.rstrip("/") + ".git"
        if os.path.exists(remote):
            shutil.rmtree(remote)
        git("clone", "-q", "--bare", "--no-local", args.dir, remote)
        # A served repository is packed; `git ls-tree` over 20,000 loose objects would be a straw man.
        git("-C", remote, "repack", "-adq")
        git("-C", args.dir, "remote", "add", "origin", remote)
    return 0


if __name__ == "__main__":
    sys.exit(main())
