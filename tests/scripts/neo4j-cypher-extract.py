"""Prints the Cypher statements of Cypher.cs as JSON {name: statement}, with {{interpolations}} resolved."""
import json
import re
import sys
import textwrap

source = open(sys.argv[1], encoding="utf-8").read()
constants = {}
for match in re.finditer(r'(?:public|private) const string (\w+) =\s*\n\s*(\$\$)?"""\n(.*?)\n\s*""";', source, re.S):
    constants[match.group(1)] = (bool(match.group(2)), textwrap.dedent(match.group(3)))
constants["ChunkReadable"] = (False, re.search(r'ChunkReadable = "(.*?)";', source).group(1))


def render(name):
    interpolated, text = constants[name]
    return re.sub(r"\{\{(\w+)\}\}", lambda m: render(m.group(1)), text) if interpolated else text


statements = {name: render(name) for name in constants if name not in ("ChunkReadable", "MentionGroups")}
for index, statement in enumerate(re.findall(r'"(CREATE CONSTRAINT[^"]*)"', source)):
    statements[f"Schema{index}"] = statement
if len(statements) < 20:
    sys.exit(f"only {len(statements)} statements found in {sys.argv[1]}: has its layout changed?")
json.dump(statements, sys.stdout, indent=1)
