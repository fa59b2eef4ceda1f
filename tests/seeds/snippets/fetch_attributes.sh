curl https://api.product.cycle.app/graphql \
  -X POST \
  -H "Authorization: Bearer YOUR_CYCLE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "query": "
      query workspaceBySlug($slug: DefaultString!) {
        getProductBySlug(slug: $slug) {
          id
          name
          slug
          companyAttributeDefinitions(
            pagination: {
              size: 100,
              where: {
                cursor: \"\",
                direction: AFTER
              }
            }
          ) {
            pageInfo {
              endCursor
              hasNextPage
            }
            edges {
              node {
                __typename
                ... on AttributeTextDefinition {
                  id
                  name
                }
                ... on AttributeNumberDefinition {
                  id
                  name
                }
                ... on AttributeCheckboxDefinition {
                  id
                  name
                }
                ... on AttributeSingleSelectDefinition {
                  id
                  name
                  valuesV2(pagination: {
                    size: 100,
                    where: {
                      cursor: \"\",
                      direction: AFTER
                    }
                  }) {
                    edges {
                      node {
                        id
                        value
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    ",
    "variables": {
      "slug": "YOUR_WORKSPACE_SLUG"
    }
  }'
