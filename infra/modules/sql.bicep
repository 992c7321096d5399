// Azure SQL: a logical server with Microsoft Entra-only authentication and one serverless General Purpose database.

param serverName string
param databaseName string
param location string

@description('Display name of the Entra principal that administers the server (runs the post-deploy CREATE USER).')
param adminLogin string

@description('Object id of that principal.')
param adminObjectId string

@allowed([
  'User'
  'Group'
  'Application'
])
param adminPrincipalType string

resource server 'Microsoft.Sql/servers@2023-08-01' = {
  name: serverName
  location: location
  properties: {
    version: '12.0'
    minimalTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    administrators: {
      administratorType: 'ActiveDirectory'
      azureADOnlyAuthentication: true
      login: adminLogin
      sid: adminObjectId
      tenantId: subscription().tenantId
      principalType: adminPrincipalType
    }
  }
}

// Flex Consumption without VNet integration connects from shared Azure addresses; 0.0.0.0 admits Azure services only.
resource allowAzureServices 'Microsoft.Sql/servers/firewallRules@2023-08-01' = {
  parent: server
  name: 'AllowAllWindowsAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

resource database 'Microsoft.Sql/servers/databases@2023-08-01' = {
  parent: server
  name: databaseName
  location: location
  sku: {
    name: 'GP_S_Gen5_1'
    tier: 'GeneralPurpose'
    family: 'Gen5'
    capacity: 1
  }
  properties: {
    autoPauseDelay: 60
    minCapacity: json('0.5')
    maxSizeBytes: 34359738368
    zoneRedundant: false
  }
}

output serverFqdn string = server.properties.fullyQualifiedDomainName
output databaseName string = database.name
