const fetchCompanyAttributes = async (slug) => {
  const query = `
    query workspaceBySlug($slug: DefaultString!) {
      getProductBySlug(slug: $slug) {
        id
        name
        slug
        companyAttributeDefinitions(
          pagination: {
            size: 100,
            where: {
              cursor: "",
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
                    cursor: "",
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
  `;

  const variables = {
    slug: slug,
  };

  const response = await fetch('https://api.product.cycle.app/graphql', {
    method: 'POST',
    headers: {
      'Authorization': 'Bearer YOUR_CYCLE_API_KEY',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ query, variables }),
  });

  const data = await response.json();
  return data.data.getProductBySlug.companyAttributeDefinitions.edges;
};
