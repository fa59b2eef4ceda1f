const response = await fetch('https://api.product.cycle.app/graphql', {
  method: 'POST',
  headers: {
    'Authorization': 'Bearer YOUR_CYCLE_API_KEY',
    'Content-Type': 'application/json',
  },
  body: JSON.stringify({
    query: `
      mutation updateCompanyAttributeValue(
        $companyId: ID!,
        $attributeDefinitionId: ID!,
        $value: CompanyAttributeValueInput!
      ) {
        updateCompanyAttributeValue(
          companyId: $companyId,
          attributeDefinitionId: $attributeDefinitionId,
          value: $value
        ) {
          __typename
          ... on CompanyAttributeSingleSelect {
            id
            definition { id __typename }
            value { id valueSelect: value }
          }
        }
      }
    `,
    variables: {
      companyId: 'company-id-of-acme',
      attributeDefinitionId: 'definition-id-of-stage',
      value: { select: 'value-id-for-closed-won' },
    },
  }),
});

const result = await response.json();
console.log(result);
