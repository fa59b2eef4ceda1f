curl https://api.product.cycle.app/graphql \
  -X POST \
  -H "Authorization: Bearer YOUR_CYCLE_API_KEY" \
  -H "Content-Type: application/json" \
  -d '{
    "query": "mutation updateCompanyAttributeValue($companyId: ID!, $attributeDefinitionId: ID!, $value: CompanyAttributeValueInput!) { updateCompanyAttributeValue(companyId: $companyId, attributeDefinitionId: $attributeDefinitionId, value: $value) { __typename ... on CompanyAttributeSingleSelect { id definition { id __typename } value { id valueSelect: value } } } }",
    "variables": {
      "companyId": "company-id-of-acme",
      "attributeDefinitionId": "definition-id-of-stage",
      "value": {
        "select": "value-id-for-closed-won"
      }
    }
  }'
