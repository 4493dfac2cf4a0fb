# Derived: the lookup key of every name of an entity.
#   kgo:nameKey  each rdfs:label and skos:altLabel of a node, lower-cased
#                (LCASE), so that `kg query --param actor=...` finds the
#                entities a name stands for by one index lookup rather than
#                by comparing every name of the graph.
# A rule of kg.derived: it reads the union of the document graphs (the default
# graph) and inserts into the graph kgr:derived only.
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX kgo: <https://w3id.org/kg-conflict/ontology#>

INSERT { GRAPH <https://w3id.org/kg-conflict/id/derived> { ?entity kgo:nameKey ?key } }
WHERE {
    ?entity rdfs:label|skos:altLabel ?name .
    BIND (LCASE(STR(?name)) AS ?key)
}
